/**
 * The commit comment on a pushed commit: the outcome, the per-unit table, the first problems and a
 * link to the check run that has the rest. One comment per commit and target, found again by its
 * marker so a later run edits it rather than adding another.
 */
import type { ReconcileResult } from "../model/result.js";
import { byteLength, COMMENT_BYTES, fitLines, type Line } from "./limits.js";
import { escapeText } from "./markdown.js";
import {
  outcomeSentence,
  plural,
  problemItem,
  problemsOf,
  type ReportOptions,
  type ReportTarget,
  unitTable,
} from "./outcome.js";
import { redactDeep, redactor } from "./redact.js";

/** The repository setting `comments`. */
export type CommentSetting = "failures" | "always" | "never";

/** Problems a comment lists before sending the reader to the check run. */
export const COMMENT_PROBLEMS = 5;
/** Longest problem message in a comment. */
const COMMENT_MESSAGE_BYTES = 500;

export function shouldComment(setting: CommentSetting, result: ReconcileResult): boolean {
  if (setting === "always") return true;
  if (setting === "never") return false;
  return !result.ok;
}

/**
 * The hidden first line that marks Ferry's comment for a target, the same for every run of it:
 * `<!-- ferry:production:clusters%2Fproduction -->`.
 */
export function commentMarker(target: Pick<ReportTarget, "cluster" | "path">): string {
  return `<!-- ferry:${encodeURIComponent(target.cluster)}:${encodeURIComponent(target.path)} -->`;
}

export function commitComment(
  result: ReconcileResult,
  target: ReportTarget,
  checkRunUrl: string,
  options: ReportOptions = {},
): string {
  const mask = redactor(options.secretValues ?? []);
  const safe = redactDeep(result, mask);
  const where = redactDeep(target, mask);
  const icon = safe.ok ? "✅" : "❌";
  const lines: Line[] = [
    { text: commentMarker(target) },
    { text: `### ${icon} Ferry / ${escapeText(where.cluster)} ${safe.ok ? "synced" : "failed"}` },
    { text: "" },
    { text: outcomeSentence(safe, where) },
  ];
  if (safe.units.length > 0) lines.push({ text: "" }, ...unitTable(safe, where));
  const problems = problemsOf(safe);
  if (problems.length > 0) {
    lines.push({ text: "" }, { text: `**${plural(problems.length, "problem")}**` }, { text: "" });
    for (const { unit, problem } of problems.slice(0, COMMENT_PROBLEMS)) {
      const item = problemItem(problem, unit, {
        sha: where.sha,
        withUnit: safe.units.length > 1,
        maxBytes: COMMENT_MESSAGE_BYTES,
        ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
      });
      lines.push({ text: item, item: "problem" });
    }
    const more = problems.length - COMMENT_PROBLEMS;
    if (more > 0) lines.push({ text: `- … ${plural(more, "more problem")} in the check run` });
  }
  // The link to the check run stays whatever is cut: it is where the rest is.
  const link = `\n\n[Details in the check run](${checkRunUrl})`;
  const body = fitLines(lines, COMMENT_BYTES - byteLength(link), { redact: mask, why: "see the check run" });
  return `${body.text}${link}`;
}
