/**
 * A reconcile's result as the output of its check run `Ferry / <cluster>`: conclusion, title,
 * summary (the per-unit table and the problems), text (the per-object change list) and the
 * problems with a file as annotations, within GitHub's limits and with no Secret value anywhere.
 */
import type { ReconcileResult, UnitResult } from "../model/result.js";
import {
  ANNOTATION_MESSAGE_BYTES,
  ANNOTATION_TITLE_CHARS,
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_OUTPUT_BYTES,
  CHECK_RUN_TITLE_CHARS,
  cutToBytes,
  cutToChars,
  fitLines,
  type Line,
} from "./limits.js";
import { code, listItem } from "./markdown.js";
import {
  CHANGED_ACTIONS,
  countActions,
  formatDuration,
  originLink,
  outcomePhrase,
  outcomeSentence,
  plural,
  problemItem,
  problemsOf,
  type ReportOptions,
  type ReportTarget,
  statusIcon,
  unitTable,
} from "./outcome.js";
import { redactDeep, redactor } from "./redact.js";

/** A check-run annotation, as `checks.create` and `checks.update` take it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure";
  title: string;
  message: string;
}

export type CheckRunConclusion = "success" | "failure" | "neutral";

export interface CheckRunOutput {
  conclusion: CheckRunConclusion;
  output: { title: string; summary: string; text: string };
  /** At most 50 a request: send the first with the completion, each further one in an update. */
  annotations: Annotation[][];
}

export interface CheckRunOptions extends ReportOptions {
  /**
   * `neutral` instead of `success` when every unit succeeded and nothing changed. Off by default:
   * a run that found the cluster as the commit describes it has succeeded.
   */
  neutralWhenUnchanged?: boolean;
}

export function checkRunOutput(
  result: ReconcileResult,
  target: ReportTarget,
  options: CheckRunOptions = {},
): CheckRunOutput {
  const mask = redactor(options.secretValues ?? []);
  // Masked before anything is measured or cut, so a cut can never leave half a value showing.
  const safe = redactDeep(result, mask);
  const where = redactDeep(target, mask);
  const counts = countActions(safe.units);
  const unchanged = safe.ok && CHANGED_ACTIONS.every((a) => counts[a] === 0);
  const conclusion: CheckRunConclusion = !safe.ok
    ? "failure"
    : unchanged && options.neutralWhenUnchanged
      ? "neutral"
      : "success";
  const withinLimit = (lines: Line[]) => fitLines(lines, CHECK_RUN_OUTPUT_BYTES, { redact: mask });
  const links = {
    sha: where.sha,
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
  };
  let text = withinLimit(textLines(safe, links, true));
  // Too long with every unchanged object listed: count them instead, so the changes fit first.
  if (text.cut) text = withinLimit(textLines(safe, links, false));
  return {
    conclusion,
    output: {
      title: cutToChars(mask(outcomePhrase(safe, where.cluster)), CHECK_RUN_TITLE_CHARS),
      summary: withinLimit(summaryLines(safe, where, links)).text,
      text: text.text,
    },
    annotations: chunk(annotationsOf(safe, mask), ANNOTATIONS_PER_REQUEST),
  };
}

interface FileLinks {
  sha: string;
  repositoryUrl?: string;
}

function summaryLines(result: ReconcileResult, target: ReportTarget, links: FileLinks): Line[] {
  const lines: Line[] = [{ text: outcomeSentence(result, target) }];
  if (result.units.length > 0) lines.push({ text: "" }, ...unitTable(result, target));
  const problems = problemsOf(result);
  if (problems.length > 0) {
    const annotated = problems.filter((p) => p.problem.origin).length;
    lines.push({ text: "" }, { text: `### ${plural(problems.length, "problem")}` }, { text: "" });
    if (annotated > 0) {
      lines.push({
        text: `Annotated on the file and line they came from: ${annotated} of ${problems.length}.`,
      });
      lines.push({ text: "" });
    }
    for (const { unit, problem } of problems) {
      const withUnit = result.units.length > 1;
      lines.push({
        text: problemItem(problem, unit, { ...links, withUnit }),
        item: "problem",
      });
    }
  }
  return lines;
}

/**
 * The change list, unit by unit: what changed first, in Flux's `Kind/namespace/name action`
 * words; unchanged objects in a `<details>` block (or only counted); objects not supported yet;
 * objects not ready with their messages.
 */
function textLines(result: ReconcileResult, links: FileLinks, listUnchanged: boolean): Line[] {
  if (result.units.length === 0) return [{ text: "No unit was reconciled." }];
  const lines: Line[] = [];
  for (const unit of result.units) {
    if (lines.length > 0) lines.push({ text: "" });
    lines.push({ text: unitHeading(unit) }, { text: "" });
    lines.push(...unitLines(unit, links, listUnchanged));
  }
  return lines;
}

function unitHeading(unit: UnitResult): string {
  return `### ${statusIcon(unit.status)} ${code(unit.name)} · ${code(unit.path)} · ${unit.status} in ${formatDuration(unit.durationMs)}`;
}

function unitLines(unit: UnitResult, links: FileLinks, listUnchanged: boolean): Line[] {
  const lines: Line[] = [];
  const section = (heading: string, items: Line[]) => {
    if (items.length === 0) return;
    if (lines.length > 0) lines.push({ text: "" });
    if (heading) lines.push({ text: heading }, { text: "" });
    lines.push(...items);
  };
  const changed = CHANGED_ACTIONS.flatMap((action) => unit.changes.filter((c) => c.action === action));
  section(
    "",
    changed.map((c) => ({
      text: c.reason
        ? listItem(`${code(c.subject)} ${c.action}: `, c.reason)
        : `- ${code(c.subject)} ${c.action}`,
      item: "object",
    })),
  );
  const unchanged = unit.changes.filter((c) => c.action === "unchanged");
  if (unchanged.length > 0) {
    if (lines.length > 0) lines.push({ text: "" });
    if (listUnchanged) {
      lines.push({ text: `<details><summary>${plural(unchanged.length, "object")} unchanged</summary>` });
      lines.push({ text: "" });
      lines.push(
        ...unchanged.map((c) => ({ text: `- ${code(c.subject)} unchanged`, item: "object" as const })),
      );
      lines.push({ text: "" }, { text: "</details>" });
    } else {
      lines.push({
        text: `${plural(unchanged.length, "object")} unchanged (not listed: limit of GitHub check runs).`,
      });
    }
  }
  if (unit.changes.length === 0) {
    section("", [{ text: unit.status === "succeeded" ? "_No objects._" : "_Nothing applied._" }]);
  }
  section(
    "**Not supported yet**",
    unit.notSupported.map((n) => ({
      text: listItem(
        `${code(n.subject)}${n.origin ? ` (${originLink(n.origin, links.sha, links.repositoryUrl)})` : ""}: `,
        n.reason,
      ),
      item: "object",
    })),
  );
  section(
    "**Not ready**",
    unit.health
      .filter((h) => h.status !== "Current")
      .map((h) => ({ text: listItem(`${code(h.subject)} ${h.status}: `, h.message), item: "object" })),
  );
  return lines;
}

/** Problems with a file, as failure annotations (line 1 when the line is not known). */
export function annotationsOf(
  result: ReconcileResult,
  mask: (text: string) => string = (t) => t,
): Annotation[] {
  return problemsOf(result).flatMap(({ unit, problem }) => {
    if (!problem.origin) return [];
    const line = problem.origin.line && problem.origin.line > 0 ? problem.origin.line : 1;
    const title = problem.subject ? `${unit.name}: ${problem.subject}` : unit.name;
    return [
      {
        path: mask(problem.origin.file.replace(/^\.\//, "")),
        start_line: line,
        end_line: line,
        annotation_level: "failure" as const,
        title: cutToChars(mask(title), ANNOTATION_TITLE_CHARS),
        message: cutToBytes(mask(problem.message), ANNOTATION_MESSAGE_BYTES),
      },
    ];
  });
}

/** `items` in arrays of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
