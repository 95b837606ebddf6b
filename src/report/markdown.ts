/**
 * Markdown pieces for GitHub: code spans, escaped text, table cells and list items. Text from the
 * cluster or kustomize goes through these so it reads as written and cannot open a link, a tag or
 * a table cell of its own.
 */
import { cutToBytes } from "./limits.js";

/** Longest message shown in a list item; the check run's annotations carry the rest. */
export const LIST_MESSAGE_BYTES = 4_000;

/** `text` as a code span, on one line, fenced past any backticks it holds. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const runs = flat.match(/`+/g);
  if (!runs) return `\`${flat}\``;
  const fence = "`".repeat(Math.max(...runs.map((r) => r.length)) + 1);
  return `${fence} ${flat} ${fence}`;
}

/** Plain text with Markdown's inline syntax escaped (`*`, `_`, `[`, `<`, `|` …). */
export function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, "\\$&");
}

/** A table cell: pipes escaped (also inside code spans, as GitHub's tables need), one line. */
export function cell(markdown: string): string {
  return markdown.replace(/\r?\n/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

/** A Markdown table. */
export function table(header: string[], align: ("left" | "right")[], rows: string[][]): string[] {
  const rule = align.map((a) => (a === "right" ? "--:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`);
}

/**
 * A list item `- <lead>message`: the message's first line escaped after `lead`, any further lines
 * in a code block under the item, so kustomize's multi-line errors keep their shape.
 */
export function listItem(lead: string, message: string, maxBytes = LIST_MESSAGE_BYTES): string {
  const [first, ...rest] = cutToBytes(message.replace(/\r\n/g, "\n").trimEnd(), maxBytes).split("\n");
  const item = `- ${lead}${escapeText(first)}`;
  const more = rest.join("\n").replace(/^\n+/, "");
  if (!more) return item;
  const runs = more.match(/`{3,}/g);
  const fence = "`".repeat(runs ? Math.max(...runs.map((r) => r.length)) + 1 : 3);
  const indented = [fence, ...more.split("\n"), fence].map((l) => (l ? `  ${l}` : l));
  return [item, "", ...indented].join("\n");
}

/** `[label](url)`, or just the label when there is no URL. */
export function link(label: string, url: string | undefined): string {
  return url ? `[${label}](${url})` : label;
}
