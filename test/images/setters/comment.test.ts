import { describe, expect, it } from "vitest";
import { Parser, parseAllDocuments, visit } from "yaml";
import { commentOffsets, markerComment } from "../../../src/images/setters/comment.js";

/** The comment markerComment finds for the scalar holding `IMG` in `text`. */
function commentOf(text: string): string | undefined {
  const at = text.indexOf("IMG");
  let range: [number, number] | undefined;
  for (const doc of parseAllDocuments(text, { keepSourceTokens: true })) {
    visit(doc, {
      Scalar(_, node) {
        const token = node.srcToken;
        if (!token || !("source" in token)) return;
        const end = token.offset + token.source.length;
        if (token.offset <= at && at < end) range = [token.offset, end];
      },
    });
  }
  if (!range) throw new Error(`no scalar holds IMG in ${JSON.stringify(text)}`);
  return markerComment(text, commentOffsets(Array.from(new Parser().parse(text))), ...range);
}

// Each expectation is what go-yaml v3 (which kyaml reads files with) gives as the scalar's line
// comment or, without one, its head comment; checked against go-yaml v3.0.1.
const cases: Array<[string, string[], string | undefined]> = [
  ["a mapping value's line comment", ["image: IMG # c"], "# c"],
  ["more space before it", ["image: IMG    # c"], "# c"],
  ["CRLF: the carriage return is not part of it", ["image: IMG # c\r", "next: x\r"], "# c"],
  ["a sequence item's line comment", ["- IMG # c"], "# c"],
  ["a quoted value's line comment", ['image: "IMG" # c'], "# c"],
  ["after the last line of a multi-line plain value", ["image: IMG", "  more # c"], "# c"],
  ["after the comma of a flow item", ["[", "  IMG, # c", "  x", "]"], "# c"],
  ["after a flow item's last line without comma", ["[", "  x,", "  IMG # c", "]"], "# c"],
  ["after a closing bracket: the collection's", ["list: [IMG] # c"], undefined],
  ["after a closing brace: the mapping's", ["map: {image: IMG} # c"], undefined],
  ["the line comment even when a head comment exists", ["list:", "  # h", "  - IMG # c"], "# c"],
  ["a head comment above the first item", ["list:", "  # c", "  - IMG"], "# c"],
  ["a head comment above a value on its own line", ["image:", "  # c", "  IMG"], "# c"],
  ["a head comment on the dash line", ["list:", "  - # c", "    IMG"], "# c"],
  ["a head comment under a bare dash", ["list:", "  -", "    # c", "    IMG"], "# c"],
  ["a head comment between siblings", ["- x", "# c", "- IMG"], "# c"],
  ["a head comment after a sibling's foot comment", ["- x", "# foot", "", "# c", "- IMG"], "# c"],
  ["a head comment with anchor and tag", ["list:", "  # c", "  - &a !!str IMG"], "# c"],
  ["a head comment above the document's root", ["# c", "IMG"], "# c"],
  ["a head comment in a flow sequence", ["[", "  # c", "  IMG", "]"], "# c"],
  ["a head comment below a leading blank line", ["", "# c", "- IMG"], "# c"],
  ["a head comment below the document's comment", ["# doc", "", "# c", "- IMG"], "# c"],
  ["a head comment on the dash line, a blank line above the value", ["- # c", "", "  IMG"], "# c"],
  [
    "a head comment below a deeper sibling",
    ["list:", "  - name: x", "    tag: 1", "  # c", "  - IMG"],
    "# c",
  ],
  ["a sibling's foot comment", ["- x", "# c", "", "- IMG"], undefined],
  ["a deeper sibling's foot comment", ["- - x", "  # c", "- IMG"], undefined],
  ["a deeper sibling's foot comment, less indented", ["list:", "  - a: x", "# c", "  - IMG"], undefined],
  ["the document's comment, above a blank line", ["# c", "", "- IMG"], undefined],
  ["two comment lines", ["list:", "  # note", "  # c", "  - IMG"], undefined],
  ["two comment lines apart, under the key", ["list:", "  # note", "", "  # c", "  - IMG"], undefined],
  ["a comment above the key", ["# c", "image: IMG"], undefined],
  ["a comment after the key", ["image: # c", "  IMG"], undefined],
  ["above a nested sequence: the outer item's", ["# c", "- - IMG"], undefined],
  ["a head comment on the dash line above an item", ["- # c", "  - IMG"], "# c"],
  ["a # line inside a block scalar", ["- |", "  # c", "- IMG"], undefined],
  ["no comment at all", ["image: IMG"], undefined],
];

describe("markerComment", () => {
  it.each(cases)("%s", (_, lines, expected) => {
    expect(commentOf(lines.join("\n"))).toBe(expected);
  });
});
