/**
 * Value schemas shared by the two configuration files: durations, byte sizes, names and globs.
 * Each carries its own message (a phrase that follows the key) and, for the JSON Schema, a pattern
 * and a description.
 */
import { z } from "zod";
import { parseDuration } from "../../build/duration.js";

/** The form `parseDuration` accepts (Kubernetes/Go durations as Flux's CRDs take them). */
const durationPattern = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;

const durationHelp = "write it as a number and a unit (ms, s, m, h), such as 10m, 1h30m or 90s";

function durationMessage(input: unknown): string {
  if (input === undefined) return `is required; add it as a duration, such as 10m`;
  if (typeof input === "number") return `${input} has no unit, so it is not a duration; ${durationHelp}`;
  return `${typeof input === "string" ? JSON.stringify(input) : describe(input)} is not a duration; ${durationHelp}`;
}

/** A duration (`10m`, `1h30m`, `90s`) in milliseconds, longer than zero. */
export const duration = z
  .string({ error: (issue) => durationMessage(issue.input) })
  .regex(durationPattern, { error: (issue) => durationMessage(issue.input) })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: "custom",
        input: text,
        message:
          ms === undefined ? durationMessage(text) : `must be longer than 0s; write a duration such as 5m`,
      });
      return z.NEVER;
    }
    return ms;
  });

function durationOrOffMessage(input: unknown): string {
  if (input === undefined) return "is required; add a duration such as 10m, or 0 for off";
  const shown = typeof input === "string" ? JSON.stringify(input) : describe(input);
  return `${shown} is not a duration; ${durationHelp}, or 0 for off`;
}

/** A duration in milliseconds, or `0` / `"0"` / `0s` for "off" (0). */
export const durationOrOff = z
  .union(
    [
      z.literal(0),
      z.literal("0"),
      z
        .string()
        .regex(durationPattern, { error: (issue) => durationOrOffMessage(issue.input) })
        .meta({ description: "A duration, such as 10m, 1h30m or 90s" }),
    ],
    { error: (issue) => durationOrOffMessage(issue.input) },
  )
  .transform((value) => (value === 0 || value === "0" ? 0 : (parseDuration(value) as number)));

function describe(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

const sizePattern = /^([0-9]+(?:\.[0-9]+)?) ?([KMGT]i?B?|B)?$/i;
const sizeUnits: Record<string, number> = { "": 1, B: 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes in `200MB`, `1.5GB`, `512MiB`, `100k` or `1000`; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = sizePattern.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? "").toUpperCase();
  const base = unit[0] ?? "";
  const multiplier = unit.includes("I") ? 1024 ** " KMGT".indexOf(base) : sizeUnits[base];
  return Math.round(Number(match[1]) * multiplier);
}

const sizeHelp = "write a number of bytes, or a number and a unit (KB, MB, GB; KiB, MiB, GiB), such as 200MB";

function sizeMessage(input: unknown): string {
  if (input === undefined) return `is required; ${sizeHelp}`;
  const shown = typeof input === "string" ? JSON.stringify(input) : describe(input);
  return `${shown} is not a size; ${sizeHelp}`;
}

/** A size in bytes: a whole number, or a string with a unit (decimal KB/MB/GB, binary KiB/MiB/GiB). */
export const byteSize = z
  .union(
    [
      z
        .number()
        .int({ error: (issue) => sizeMessage(issue.input) })
        .positive({ error: (issue) => sizeMessage(issue.input) }),
      z
        .string()
        .regex(sizePattern, { error: (issue) => sizeMessage(issue.input) })
        .meta({
          description: "A number and a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB",
        }),
    ],
    { error: (issue) => sizeMessage(issue.input) },
  )
  .transform((value, ctx) => {
    const bytes = typeof value === "number" ? value : parseByteSize(value);
    if (bytes === undefined || bytes < 1) {
      ctx.addIssue({ code: "custom", input: value, message: `must be at least 1 byte; ${sizeHelp}` });
      return z.NEVER;
    }
    return bytes;
  });

/** A cluster's name, as it appears in check-run names (`Ferry / production`). */
export const clusterNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const clusterNameHelp =
  "names start with a letter or digit and hold letters, digits, '.', '_' and '-' (at most 63)";

/** A non-empty string, with a message saying what it is for. */
export function text(what: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `is required; add ${what}`
          : `must be ${what}, not ${describe(issue.input)}`,
    })
    .min(1, { error: `must not be empty; write ${what}` });
}

/** A list of non-empty strings. */
export function textList(what: string) {
  return z.array(text(what), {
    error: (issue) =>
      issue.input === undefined
        ? `is required; add a list of ${what}s`
        : `must be a list of ${what}s, not ${describe(issue.input)}`,
  });
}

const globCache = new Map<string, RegExp>();

/**
 * Whether `name` matches `pattern`, where `*` stands for any run of characters and `?` for one,
 * neither crossing a `/`. `ignoreCase` as GitHub compares owner and repository names.
 */
export function globMatches(pattern: string, name: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? "i" : "c"}${pattern}`;
  let regex = globCache.get(cacheKey);
  if (!regex) {
    const source = [...pattern]
      .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    regex = new RegExp(`^${source}$`, ignoreCase ? "i" : "");
    globCache.set(cacheKey, regex);
  }
  return regex.test(name);
}
