import { Composer, type CST, isMap, isScalar, isSeq, LineCounter, Parser, type Scalar } from "yaml";
import { commentOffsets, markerComment } from "./comment.js";
import { objectOf } from "./object.js";
import { renderScalar, type ScalarStyle } from "./render.js";
import { MARKER_TOKEN, parseMarker, setterValue } from "./setter.js";
import type { Policies, SetterChange, TextUpdate } from "./types.js";

const STYLES: Partial<Record<CST.Token["type"], ScalarStyle>> = {
  scalar: "plain",
  "single-quoted-scalar": "single",
  "double-quoted-scalar": "double",
};

/** The scalars kyaml's setters visit: mapping values and sequence items, never keys, never aliases. */
function* valueScalars(node: unknown, inFlow: boolean): Generator<{ scalar: Scalar; inFlow: boolean }> {
  if (isScalar(node)) yield { scalar: node, inFlow };
  else if (isMap(node)) for (const pair of node.items) yield* valueScalars(pair.value, inFlow || !!node.flow);
  else if (isSeq(node)) for (const item of node.items) yield* valueScalars(item, inFlow || !!node.flow);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Flux's Setters strategy on one file's text: each value carrying a marker comment that names one
 * of `policies` is replaced whole, and nothing else in the text moves. Block scalars are left as
 * they are. A text without the marker token is not parsed; one that does not parse is returned
 * unchanged with a problem (Flux skips such files too).
 */
export function updateText(path: string, text: string, policies: Policies): TextUpdate {
  if (!text.includes(MARKER_TOKEN)) return { text, changes: [] };
  const lines = new LineCounter();
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const docs = Array.from(
    new Composer({ keepSourceTokens: true, schema: "failsafe", uniqueKeys: false }).compose(tokens),
  );
  const error = docs.flatMap((doc) => doc.errors)[0];
  if (error) {
    return {
      text,
      changes: [],
      problem: {
        message: `not valid YAML, so its image policy markers were not applied: ${error.message}`,
        origin: { file: path, line: lines.linePos(error.pos[0]).line },
      },
    };
  }

  const comments = commentOffsets(tokens);
  const edits: Edit[] = [];
  const changes: SetterChange[] = [];
  for (const doc of docs) {
    const object = objectOf(doc);
    for (const { scalar, inFlow } of valueScalars(doc.contents, false)) {
      const token = scalar.srcToken;
      const style = token && STYLES[token.type];
      if (!token || !style || !("source" in token) || token.source === "") continue;
      const start = token.offset;
      const end = start + token.source.length;
      const comment = markerComment(text, comments, start, end);
      const setter = comment === undefined ? undefined : parseMarker(comment);
      if (setter === undefined) continue;
      const newValue = setterValue(setter, policies);
      const oldValue = String(scalar.value);
      if (newValue === undefined || newValue === oldValue) continue;
      edits.push({ start, end, text: renderScalar(newValue, style, inFlow) });
      const line = lines.linePos(start).line;
      changes.push({ file: path, line, oldValue, newValue, setter, ...(object ? { object } : {}) });
    }
  }

  const parts: string[] = [];
  let from = 0;
  for (const edit of edits) {
    parts.push(text.slice(from, edit.start), edit.text);
    from = edit.end;
  }
  parts.push(text.slice(from));
  return { text: parts.join(""), changes };
}
