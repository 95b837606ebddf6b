/** A failed helm command, described without the values it was given. */

export interface HelmErrorDetails {
  /** The command as run, values file path included but never its content. */
  command: readonly string[];
  /** helm's exit code; undefined when it was killed (timeout) or could not start. */
  exitCode: number | undefined;
  /** The part of helm's stderr that says what failed, with values redacted. */
  detail: string;
}

export class HelmError extends Error {
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
  readonly detail: string;

  constructor(details: HelmErrorDetails) {
    const exit = details.exitCode === undefined ? "was stopped" : `exited with code ${details.exitCode}`;
    super(`${details.command.join(" ")} ${exit}${details.detail ? `: ${details.detail}` : ""}`);
    this.name = "HelmError";
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.detail = details.detail;
  }
}

const MAX_DETAIL = 2000;

/** Log lines helm prints besides its error: Helm 4's `level=WARN msg=…`, Helm 3's `WARNING: …`. */
function isLogLine(line: string): boolean {
  return /^(level=\w+ |time=\S+ level=|WARNING: |walk\.go:\d+: |install\.go:\d+: |upgrade\.go:\d+: )/.test(
    line,
  );
}

/**
 * What matters in helm's stderr: from the first `Error:` line on (helm puts the cause's
 * continuation, such as `context deadline exceeded`, on the lines after it), without log lines
 * or the `Error: ` prefix. Without an `Error:` line, the last few non-log lines.
 */
export function meaningfulStderr(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "");
  const first = lines.findIndex((line) => line.startsWith("Error: "));
  const kept = (first >= 0 ? lines.slice(first) : lines.slice(-5)).filter((line) => !isLogLine(line));
  const text = kept.join("\n").replace(/^Error: /, "");
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/** Strings this short are too common to redact without mangling the message. */
const MIN_REDACTED_LENGTH = 4;

/** Every string leaf of `values` (map values and list items) long enough to be worth hiding. */
export function secretCandidates(values: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.length >= MIN_REDACTED_LENGTH) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (typeof value === "object" && value !== null) {
      for (const item of Object.values(value)) visit(item);
    }
  };
  visit(values);
  // Longest first, so a value containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces each of `secrets` in `text` (helm may quote a rendered value in its error). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, "[redacted]");
  return out;
}
