/**
 * GitHub's size limits for what Ferry reports, and cutting text to them. GitHub counts check-run
 * `summary` and `text` in UTF-8 bytes ("summary exceeds a maximum bytesize of 65535"), so every
 * measure here is in bytes and every cut falls between code points: never a broken character.
 */

/** `output.summary` and `output.text` of a check run, in UTF-8 bytes. */
export const CHECK_RUN_OUTPUT_BYTES = 65_535;
/**
 * `output.title` of a check run: GitHub documents no limit, so Ferry keeps to the 255 characters
 * GitHub documents for an annotation's title.
 */
export const CHECK_RUN_TITLE_CHARS = 255;
/** Annotations per create or update request; later updates append. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** An annotation's `title`, in characters. */
export const ANNOTATION_TITLE_CHARS = 255;
/** An annotation's `message` ("the maximum size is 64 KB"), kept one byte under. */
export const ANNOTATION_MESSAGE_BYTES = 65_535;
/** A commit comment's body (GitHub answers 422 above 65,536 characters); kept in bytes to be safe. */
export const COMMENT_BYTES = 65_535;

export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** `text` cut to at most `maxBytes` UTF-8 bytes, ending in `…` when cut; never splits a code point. */
export function cutToBytes(text: string, maxBytes: number, ellipsis = "…"): string {
  if (byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - byteLength(ellipsis);
  let used = 0;
  let out = "";
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    used += size;
    out += char;
  }
  return `${out}${ellipsis}`;
}

/** `text` cut to at most `maxChars` code points, ending in `…` when cut. */
export function cutToChars(text: string, maxChars: number): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, maxChars - 1).join("")}…`;
}

/** What a line of a report shows, so a cut can say how many of each it left out. */
export type ItemKind = "unit" | "object" | "problem";

/**
 * One line of Markdown (or a block that must stay whole, such as a list item with its code
 * block), with the kind of thing it stands for.
 */
export interface Line {
  text: string;
  item?: ItemKind;
}

const itemNames: Record<ItemKind, [string, string]> = {
  unit: ["unit", "units"],
  object: ["object", "objects"],
  problem: ["problem", "problems"],
};

/** `… 1,234 more objects and 2 more problems not shown (limit of GitHub check runs)`. */
export function omittedNote(hidden: Partial<Record<ItemKind, number>>, why: string): string {
  const parts = (["unit", "object", "problem"] as const)
    .filter((kind) => (hidden[kind] ?? 0) > 0)
    .map((kind) => {
      const n = hidden[kind] ?? 0;
      return `${n.toLocaleString("en-US")} more ${itemNames[kind][n === 1 ? 0 : 1]}`;
    });
  const what = parts.length === 0 ? "the rest is" : parts.join(" and ");
  return `… ${what} not shown (${why})`;
}

/**
 * `lines` joined with newlines, within `maxBytes`: when they do not fit, the longest prefix of
 * whole lines that fits with, after it, the `</details>` it left open and a note saying how many
 * units, objects and problems were left out. `redact` runs on every line before it is measured.
 * `cut` says whether anything was left out.
 */
export function fitLines(
  lines: Line[],
  maxBytes: number,
  options: { why?: string; redact?: (text: string) => string } = {},
): { text: string; cut: boolean } {
  const why = options.why ?? "limit of GitHub check runs";
  const texts = options.redact
    ? lines.map((l) => options.redact?.(l.text) ?? l.text)
    : lines.map((l) => l.text);
  const sizes = texts.map((t) => byteLength(t) + 1);
  const total = sizes.reduce((a, b) => a + b, 0) - (texts.length > 0 ? 1 : 0);
  if (total <= maxBytes) return { text: texts.join("\n"), cut: false };

  // Items left out when only the first k lines are kept, for every k.
  const hidden: Partial<Record<ItemKind, number>>[] = new Array(lines.length + 1);
  hidden[lines.length] = {};
  for (let k = lines.length - 1; k >= 0; k--) {
    const after = { ...hidden[k + 1] };
    const item = lines[k].item;
    if (item) after[item] = (after[item] ?? 0) + 1;
    hidden[k] = after;
  }
  let best: { k: number; tail: string } | undefined;
  let kept = 0;
  let depth = 0;
  for (let k = 0; k <= lines.length; k++) {
    if (k > 0) {
      kept += sizes[k - 1];
      depth += detailsDelta(texts[k - 1]);
    }
    const keptBytes = k > 0 ? kept - 1 : 0;
    if (keptBytes > maxBytes) break;
    const closers = "\n\n</details>".repeat(Math.max(0, depth));
    const tail = `${closers}\n\n${omittedNote(hidden[k], why)}`;
    const tailText = k > 0 ? tail : tail.replace(/^\n+/, "");
    if (keptBytes + byteLength(tailText) <= maxBytes) best = { k, tail: tailText };
  }
  // Not even the note fits: a bare cut is the most that can be sent.
  if (!best) return { text: cutToBytes(texts.join("\n"), maxBytes), cut: true };
  return { text: `${texts.slice(0, best.k).join("\n")}${best.tail}`, cut: true };
}

function detailsDelta(text: string): number {
  const opened = text.match(/<details>/g)?.length ?? 0;
  const closed = text.match(/<\/details>/g)?.length ?? 0;
  return opened - closed;
}
