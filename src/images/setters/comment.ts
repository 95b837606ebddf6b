import type { CST } from "yaml";

/** Where each comment of the token stream starts: a `#` inside a block or quoted scalar is text. */
export function commentOffsets(tokens: readonly CST.Token[]): ReadonlySet<number> {
  const offsets = new Set<number>();
  // CST tokens nest in several shapes (items, start/sep/end lists, props); comments can sit in any.
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (typeof value === "object" && value !== null) {
      const token = value as Partial<CST.SourceToken>;
      if (token.type === "comment" && token.offset !== undefined) offsets.add(token.offset);
      else for (const child of Object.values(value)) walk(child);
    }
  };
  walk(tokens);
  return offsets;
}

const lineStart = (text: string, at: number) => (at > 0 ? text.lastIndexOf("\n", at - 1) + 1 : 0);

function lineEnd(text: string, at: number): number {
  const newline = text.indexOf("\n", at);
  const end = newline < 0 ? text.length : newline;
  return text[end - 1] === "\r" ? end - 1 : end;
}

/** The comment a line holds before anything else but indentation and one `- `, if any. */
function leadingComment(text: string, start: number, comments: ReadonlySet<number>) {
  const match = /^[ \t]*(-[ \t]+)?/.exec(text.slice(start, lineEnd(text, start)));
  const at = start + (match?.[0].length ?? 0);
  return comments.has(at) ? { text: text.slice(at, lineEnd(text, at)), dash: !!match?.[1] } : undefined;
}

/** Whether a line opens the node below it (`key:`, `-`, `[`, `{`, `---`), its trailing comment aside. */
function opensNode(text: string, start: number, comments: ReadonlySet<number>): boolean {
  let end = lineEnd(text, start);
  for (let at = start; at < end; at++) if (comments.has(at)) end = at;
  const content = text.slice(start, end).trimEnd();
  return /:$|(?:^|[ \t])-$|[[{]$/.test(content) || content.startsWith("---");
}

/** A `- ` item whose content is a collection: another `- `, or a `key:`. */
const NESTING_ITEM = /^[ \t]*-[ \t]+(?:-(?:[ \t]|$)|[^#"'\s][^#]*?:(?:[ \t]|$)|["'][^#]*?["']:(?:[ \t]|$))/;

function indentation(text: string, start: number): number {
  let at = start;
  while (text[at] === " " || text[at] === "\t") at++;
  return at - start;
}

/**
 * go-yaml's head comment of a scalar that begins its line (after indentation, one `- ` and its anchor
 * or tag), when it is a single comment line: the comment lines above it, back to the line that opens
 * its node or, below a sibling or at the top of the stream, back to the last blank line (comments
 * above that are the sibling's foot or the document's). Below a sibling that nests deeper, comments
 * indented otherwise than the scalar's line are that sibling's too. A comment on the `- ` line above
 * a value on its own line is a head comment as well.
 */
function headComment(text: string, comments: ReadonlySet<number>, start: number): string | undefined {
  const line = lineStart(text, start);
  if (!/^[ \t]*(?:-[ \t]+)?(?:[&!][^ \t]*[ \t]+)*$/.test(text.slice(line, start))) return undefined;
  const run: Array<{ text: string; column: number } | undefined> = []; // bottom up; blank lines undefined
  // At the top of the stream, comments above a blank line are the document's.
  let opened = false;
  let deeper = false;
  for (let at = line; at > 0; ) {
    const above = lineStart(text, at - 1);
    const comment = leadingComment(text, above, comments);
    if (comment) {
      run.push({ text: comment.text, column: indentation(text, above) });
      opened = comment.dash;
      if (opened) break;
    } else if (/^[ \t]*$/.test(text.slice(above, lineEnd(text, above)))) {
      run.push(undefined);
    } else {
      opened = opensNode(text, above, comments);
      const [outer, inner] = [indentation(text, line), indentation(text, above)];
      deeper =
        inner > outer || (inner === outer && NESTING_ITEM.test(text.slice(above, lineEnd(text, above))));
      break;
    }
    at = above;
  }
  const blank = run.indexOf(undefined);
  const head = (opened || blank < 0 ? run : run.slice(0, blank)).filter((entry) => entry !== undefined);
  if (head.length !== 1 || (deeper && !opened && head[0].column !== indentation(text, line)))
    return undefined;
  return head[0].text;
}

/**
 * The one comment kyaml reads as the marker of the scalar at `[start, end)`, as go-yaml v3 attaches
 * comments: its line comment (after the scalar on its last line, or after the `,` that follows it
 * in a flow collection); failing that, its head comment. A comment above a `key: value` line is the
 * key's, and a head comment of several lines is no JSON, so no marker.
 */
export function markerComment(
  text: string,
  comments: ReadonlySet<number>,
  start: number,
  end: number,
): string | undefined {
  const after = end + (/^[ \t]*(?:,[ \t]*)?/.exec(text.slice(end, lineEnd(text, end)))?.[0].length ?? 0);
  if (comments.has(after)) return text.slice(after, lineEnd(text, after));
  return headComment(text, comments, start);
}
