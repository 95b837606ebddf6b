/**
 * What a reconcile did, in the words and tables every GitHub report shares: the outcome phrase
 * (`12 created, 3 configured`, `failed — 2 objects invalid`), the per-unit table and the problem
 * list. The check run and the commit comment both render these, from the one result model.
 */
import { formatOrigin, type Origin } from "../model/object.js";
import type { ChangeAction, Problem, ReconcileResult, UnitResult } from "../model/result.js";
import type { Line } from "./limits.js";
import { cell, code, escapeText, link, listItem, table } from "./markdown.js";

/** Where a reconcile ran: the cluster, the path it synced and the commit. */
export interface ReportTarget {
  cluster: string;
  path: string;
  sha: string;
}

export interface ReportOptions {
  /** Secret values the run knew; every form of each is masked as `***` in everything rendered. */
  secretValues?: readonly string[];
  /** `https://github.com/owner/repo`: file and line of a problem link to the file at the commit. */
  repositoryUrl?: string;
}

export const ACTIONS: readonly ChangeAction[] = ["created", "configured", "unchanged", "deleted", "skipped"];
/** What a change list shows first: the objects a run changed or left alone on purpose. */
export const CHANGED_ACTIONS: readonly ChangeAction[] = ["created", "configured", "deleted", "skipped"];

export type ActionCounts = Record<ChangeAction, number>;

export function countActions(units: readonly UnitResult[]): ActionCounts {
  const counts: ActionCounts = { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
  for (const unit of units) for (const change of unit.changes) counts[change.action]++;
  return counts;
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** `12 created, 3 configured`: the non-zero counts of what changed, or `` when nothing did. */
export function changePhrase(counts: ActionCounts): string {
  return CHANGED_ACTIONS.filter((a) => counts[a] > 0)
    .map((a) => `${counts[a].toLocaleString("en-US")} ${a}`)
    .join(", ");
}

/** The phase a failed unit stopped in, when it stopped before applying anything. */
function stoppedBefore(unit: UnitResult): "build" | "validate" | undefined {
  if (unit.status !== "failed" || unit.timings.some((t) => t.phase === "apply")) return undefined;
  const last = unit.timings.at(-1)?.phase;
  if (last === "validate") return "validate";
  if (last === "build" || last === "decrypt" || last === "substitute") return "build";
  return undefined;
}

const notReadySubjects = (unit: UnitResult) =>
  new Set(unit.health.filter((h) => h.status !== "Current").map((h) => h.subject));

/**
 * Why a reconcile failed, counted the way a user fixes it: `2 objects invalid`, `1 build error`,
 * `3 objects not ready`, `1 unit skipped`, `2 problems` (anything else).
 */
export function failurePhrase(result: ReconcileResult): string {
  let invalid = 0;
  let build = 0;
  let notReady = 0;
  let other = 0;
  let skipped = 0;
  for (const unit of result.units) {
    if (unit.status === "skipped") {
      skipped++;
      continue;
    }
    const stopped = stoppedBefore(unit);
    const waiting = notReadySubjects(unit);
    for (const problem of unit.problems) {
      if (problem.subject && waiting.has(problem.subject)) notReady++;
      else if (stopped === "validate") invalid++;
      else if (stopped === "build") build++;
      else other++;
    }
  }
  const parts = [
    invalid && `${plural(invalid, "object")} invalid`,
    build && plural(build, "build error"),
    notReady && `${plural(notReady, "object")} not ready`,
    other && plural(other, "problem"),
    skipped && `${plural(skipped, "unit")} skipped`,
  ].filter((p): p is string => Boolean(p));
  return parts.join(", ") || "not every unit succeeded";
}

/**
 * The outcome in a few words: `12 created, 3 configured`, `no changes (40 unchanged)`,
 * `nothing to reconcile`, `failed — 2 objects invalid; 1 created`.
 */
export function outcomeWords(result: ReconcileResult): string {
  const counts = countActions(result.units);
  const changes = changePhrase(counts);
  if (!result.ok) return `failed — ${failurePhrase(result)}${changes ? `; ${changes}` : ""}`;
  if (changes) return changes;
  if (result.units.length === 0) return "nothing to reconcile";
  return `no changes${counts.unchanged ? ` (${counts.unchanged.toLocaleString("en-US")} unchanged)` : ""}`;
}

/** The check run's title: `production: 12 created, 3 configured`, `production: failed — 2 objects invalid`. */
export function outcomePhrase(result: ReconcileResult, cluster: string): string {
  return `${cluster}: ${outcomeWords(result)}`;
}

/**
 * The outcome as the first sentence of a report:
 * ``Synced `clusters/production` at `0f3c2a1` to **production** in 12.3s: 12 created.``
 */
export function outcomeSentence(result: ReconcileResult, target: ReportTarget): string {
  const place = `${code(target.path)} at ${code(shortRevision(target.sha))} to **${escapeText(target.cluster)}**`;
  const took = formatDuration(result.durationMs);
  if (result.ok) return `Synced ${place} in ${took}: ${outcomeWords(result)}.`;
  const changes = changePhrase(countActions(result.units));
  return `Sync of ${place} failed after ${took}: ${failurePhrase(result)}${changes ? `; ${changes}` : ""}.`;
}

/** `450ms`, `12.3s`, `2m 5s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** The first 7 characters of the commit in a revision (`main@sha1:0f3c…` or a bare SHA). */
export function shortRevision(revision: string): string {
  const sha = /[0-9a-f]{7,64}/i.exec(revision.split(":").at(-1) ?? revision);
  return sha ? sha[0].slice(0, 7) : revision;
}

export const statusIcon = (status: UnitResult["status"]) =>
  status === "succeeded" ? "✅" : status === "failed" ? "❌" : "⏭️";

/** `44 / 44 ready`, or `—` when the unit did not wait for anything. */
export function healthCell(unit: Pick<UnitResult, "health">): string {
  if (unit.health.length === 0) return "—";
  const ready = unit.health.filter((h) => h.status === "Current").length;
  return `${ready.toLocaleString("en-US")} / ${unit.health.length.toLocaleString("en-US")} ready`;
}

/** The per-unit table: revision, the five change-set counts, health and duration; a total row when several. */
export function unitTable(result: ReconcileResult, target: ReportTarget): Line[] {
  const header = ["Unit", "Path", "Revision", ...ACTIONS.map(capitalize), "Health", "Duration"];
  const align: ("left" | "right")[] = [
    "left",
    "left",
    "left",
    ...ACTIONS.map(() => "right" as const),
    "left",
    "right",
  ];
  const rows = result.units.map((unit) => {
    const counts = countActions([unit]);
    return [
      `${statusIcon(unit.status)} ${cell(code(unit.name))}`,
      cell(code(unit.path)),
      cell(code(shortRevision(unit.revision ?? target.sha))),
      ...ACTIONS.map((a) => counts[a].toLocaleString("en-US")),
      healthCell(unit),
      formatDuration(unit.durationMs),
    ];
  });
  const lines = table(header, align, rows);
  const out: Line[] = lines.slice(0, 2).map((text) => ({ text }));
  out.push(...lines.slice(2).map((text) => ({ text, item: "unit" as const })));
  if (result.units.length > 1) {
    const counts = countActions(result.units);
    const health = healthCell({ health: result.units.flatMap((u) => u.health) });
    const total = ["**Total**", "", "", ...ACTIONS.map((a) => `**${counts[a].toLocaleString("en-US")}**`)];
    out.push({ text: `| ${[...total, health, formatDuration(result.durationMs)].join(" | ")} |` });
  }
  return out;
}

/** Where a problem came from, as a link to the file and line at the commit when the repository is known. */
export function originLink(origin: Origin, sha: string, repositoryUrl?: string): string {
  const file = origin.file.replace(/^\.\//, "");
  const label = code(formatOrigin({ ...origin, file }) ?? file);
  const anchor = origin.line ? `#L${origin.line}` : "";
  const path = file.split("/").map(encodeURIComponent).join("/");
  return link(
    label,
    repositoryUrl ? `${repositoryUrl.replace(/\/+$/, "")}/blob/${sha}/${path}${anchor}` : undefined,
  );
}

/**
 * A problem as a list item, place first as `formatProblem` writes it:
 * ``- `apps/web.yaml:12` `Deployment/apps/web`: spec.replicas: Invalid value``, with the unit
 * first when the result has several.
 */
export function problemItem(
  problem: Problem,
  unit: UnitResult,
  options: { sha: string; repositoryUrl?: string; withUnit: boolean; maxBytes?: number },
): string {
  const lead = [
    options.withUnit ? `**${code(unit.name)}**` : "",
    problem.origin ? originLink(problem.origin, options.sha, options.repositoryUrl) : "",
  ].filter(Boolean);
  const subject = problem.subject && !problem.message.startsWith(problem.subject) ? problem.subject : "";
  const prefix = `${lead.length ? `${lead.join(" · ")} ` : ""}${subject ? `${code(subject)}: ` : ""}`;
  return listItem(prefix, problem.message, options.maxBytes);
}

/** Every problem of every unit, in unit order. */
export function problemsOf(result: ReconcileResult): { unit: UnitResult; problem: Problem }[] {
  return result.units.flatMap((unit) => unit.problems.map((problem) => ({ unit, problem })));
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
