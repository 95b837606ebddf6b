/**
 * The text of an image update pull request: its title (`Update ghcr.io/acme/app to 1.4.2`), a body
 * with a table of image, policy, from, to and files, the changed lines, and notes (how tags were
 * found, policies that picked nothing, files that could not be read); and the check run summary on
 * its head. Renovate's pull requests are the standard users hold these to.
 */
import type { UpdateGroup } from "../images/plan.js";
import type { PolicyOutcome } from "../images/resolve.js";
import type { FileUpdate, SetterChange } from "../images/setters/index.js";
import type { Problem } from "../model/result.js";
import { COMMENT_BYTES, cutToBytes } from "./limits.js";
import { cell, code, escapeText, table } from "./markdown.js";

export interface ImageUpdateReport {
  group: UpdateGroup;
  files: readonly FileUpdate[];
  problems: readonly Problem[];
}

/** One row per policy that changed something: its image, the values it replaced and its new tag. */
interface Row {
  outcome: PolicyOutcome;
  from: string[];
  files: string[];
}

const TITLE_CHARS = 200;

function rowsOf(report: ImageUpdateReport): Row[] {
  const rows: Row[] = [];
  for (const outcome of report.group.policies) {
    const changes = report.files.flatMap((f) => f.changes.filter((c) => policyOfSetter(c) === outcome.key));
    if (!outcome.result || changes.length === 0) continue;
    rows.push({
      outcome,
      from: [...new Set(changes.flatMap(previousTag))],
      files: [...new Set(changes.map((c) => c.file))],
    });
  }
  return rows;
}

/** `ns:name` of a setter `ns:name[:tag|:name|:digest]`. */
const policyOfSetter = (change: SetterChange) => change.setter.split(":").slice(0, 2).join(":");

/** The tag a change replaced (from `name:tag[@digest]` or a `:tag` marker), if it replaced one. */
function previousTag(change: SetterChange): string[] {
  const suffix = change.setter.split(":")[2];
  if (suffix === "tag") return [change.oldValue];
  if (suffix !== undefined) return [];
  const withoutDigest = change.oldValue.split("@")[0] ?? "";
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? [withoutDigest.slice(colon + 1)] : [];
}

const target = (outcome: PolicyOutcome) =>
  outcome.result ? `${outcome.result.tag}${outcome.result.digest ? `@${outcome.result.digest}` : ""}` : "";

export function imageUpdateTitle(report: ImageUpdateReport): string {
  const rows = rowsOf(report);
  const updates = [...new Map(rows.map((r) => [`${r.outcome.image} to ${r.outcome.result?.tag}`, r])).keys()];
  const title =
    updates.length === 1 ? `Update ${updates[0]}` : `Update ${updates.length} images: ${updates.join(", ")}`;
  return title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS - 1)}…` : title;
}

/** A link to the image's page where the registry has one (ghcr.io, Docker Hub); else its name. */
export function imageLink(image: string): string {
  const [host, ...rest] = image.split("/");
  const path = rest.join("/");
  if (host === "ghcr.io") return `[${escapeText(image)}](https://${image})`;
  if (host === "docker.io") {
    const page = path.startsWith("library/") ? `_/${path.slice("library/".length)}` : `r/${path}`;
    return `[${escapeText(image)}](https://hub.docker.com/${page})`;
  }
  return code(image);
}

export function imageUpdateBody(report: ImageUpdateReport): string {
  const rows = rowsOf(report);
  const { group } = report;
  const lines = [
    group.automation
      ? `This pull request updates the images of ImageUpdateAutomation ${code(`${group.automation.metadata.namespace ?? "default"}/${group.automation.metadata.name}`)}.`
      : "This pull request updates the images of this repository's image policies.",
    "",
    ...table(
      ["Image", "Policy", "From", "To", "Files"],
      ["left", "left", "left", "left", "left"],
      rows.map((r) => [
        cell(imageLink(r.outcome.image ?? "")),
        cell(code(r.outcome.key.replace(":", "/"))),
        cell(r.from.map(code).join(", ") || "—"),
        cell(code(target(r.outcome))),
        cell(r.files.map(code).join(", ")),
      ]),
    ),
    "",
    "<details><summary>Changed lines</summary>",
    "",
    ...report.files.flatMap((f) =>
      f.changes.map((c) => `- ${code(`${c.file}:${c.line}`)}: ${code(c.oldValue)} → ${code(c.newValue)}`),
    ),
    "",
    "</details>",
  ];
  const notes = [
    ...group.policies.flatMap((o) =>
      o.note ? [`${code(o.key.replace(":", "/"))}: ${escapeText(o.note)}`] : [],
    ),
    ...group.policies.flatMap((o) =>
      o.error ? [`${code(o.key.replace(":", "/"))} picked nothing: ${escapeText(o.error)}`] : [],
    ),
    ...report.problems.map(
      (p) =>
        `${p.origin ? `${code(`${p.origin.file}${p.origin.line ? `:${p.origin.line}` : ""}`)}: ` : ""}${escapeText(p.message)}`,
    ),
  ];
  if (notes.length > 0) lines.push("", "**Notes**", "", ...notes.map((n) => `- ${n}`));
  lines.push(
    "",
    "---",
    "Opened by Ferry from the image policies in this repository. Ferry keeps this pull request up to date with the newest tags; merge it to deploy, or close it to skip this update.",
  );
  return cutToBytes(lines.join("\n"), COMMENT_BYTES, "\n\n… (cut to GitHub's size limit)");
}
