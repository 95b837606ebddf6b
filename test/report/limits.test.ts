/**
 * Cutting to GitHub's limits (bytes, whole lines, whole characters, the note on what was left out)
 * and the Markdown pieces reports are made of.
 */
import { describe, expect, it } from "vitest";
import { cutToBytes, cutToChars, fitLines, type Line, omittedNote } from "../../src/report/limits.js";
import { cell, code, escapeText, listItem } from "../../src/report/markdown.js";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("cutToBytes", () => {
  it.each([
    ["fits: unchanged", "hello", 5, "hello"],
    ["ASCII", "hello world", 8, "hello…"],
    ["a four-byte character is kept whole or not at all", `a${"😀".repeat(10)}`, 10, "a😀…"],
    ["three-byte characters", "設定エラー", 10, "設定…"],
    ["exactly the budget: unchanged", "abc😀", 7, "abc😀"],
  ])("%s", (_, text, max, expected) => {
    const cut = cutToBytes(text, max);
    expect(cut).toBe(expected);
    expect(bytes(cut)).toBeLessThanOrEqual(max);
  });
});

describe("cutToChars", () => {
  it("counts code points, so an emoji is one character and never split", () => {
    expect(cutToChars("😀😀😀😀", 4)).toBe("😀😀😀😀");
    expect(cutToChars("😀😀😀😀😀", 4)).toBe("😀😀😀…");
  });
});

describe("omittedNote", () => {
  it.each([
    [{ object: 1 }, "… 1 more object not shown (limit of GitHub check runs)"],
    [
      { object: 1_950, problem: 3 },
      "… 1,950 more objects and 3 more problems not shown (limit of GitHub check runs)",
    ],
    [{ unit: 2, object: 0 }, "… 2 more units not shown (limit of GitHub check runs)"],
    [{}, "… the rest is not shown (limit of GitHub check runs)"],
  ])("%j", (hidden, note) => {
    expect(omittedNote(hidden, "limit of GitHub check runs")).toBe(note);
  });
});

describe("fitLines", () => {
  const items = (n: number, kind: Line["item"] = "object"): Line[] =>
    Array.from({ length: n }, (_, i) => ({ text: `- item ${i}`, item: kind }));

  it("joins lines that fit, untouched", () => {
    expect(fitLines([{ text: "a" }, { text: "b" }], 3)).toEqual({ text: "a\nb", cut: false });
  });

  it("keeps whole lines and counts the items it left out", () => {
    const lines = [{ text: "# heading" }, ...items(100)];
    const { text, cut } = fitLines(lines, 200);
    expect(cut).toBe(true);
    expect(bytes(text)).toBeLessThanOrEqual(200);
    const out = text.split("\n");
    const kept = out.filter((l) => /^- item \d+$/.test(l)).length;
    expect(out[0]).toBe("# heading");
    expect(out.at(-2)).toBe("");
    expect(out.at(-1)).toBe(`… ${100 - kept} more objects not shown (limit of GitHub check runs)`);
    expect(kept).toBeGreaterThan(5);
  });

  it("closes a <details> block the cut falls inside of", () => {
    const lines = [
      { text: "<details><summary>100 objects unchanged</summary>" },
      { text: "" },
      ...items(100),
    ];
    const { text } = fitLines(lines, 300);
    expect(bytes(text)).toBeLessThanOrEqual(300);
    expect(text).toMatch(/- item \d+\n\n<\/details>\n\n… \d+ more objects not shown/);
  });

  it("does not close a block closed before the cut", () => {
    const lines = [
      { text: "<details><summary>2</summary>" },
      ...items(2),
      { text: "</details>" },
      ...items(100),
    ];
    const { text } = fitLines(lines, 300);
    expect(text.split("</details>").length).toBe(2);
  });

  it("masks every line before measuring it", () => {
    const { text, cut } = fitLines([{ text: "password=hunter22" }], 20, {
      redact: (t) => t.replace("hunter22", "***"),
    });
    expect({ text, cut }).toEqual({ text: "password=***", cut: false });
  });

  it("with room for nothing but the note, sends only the note", () => {
    const { text } = fitLines([{ text: "x".repeat(500), item: "problem" }], 80);
    expect(text).toBe("… 1 more problem not shown (limit of GitHub check runs)");
  });

  it("with no room even for the note, cuts the text itself, whole characters", () => {
    const { text } = fitLines([{ text: "😀".repeat(50) }], 10);
    expect(text).toBe("😀…");
  });
});

describe("Markdown pieces", () => {
  it.each([
    ["plain", "Deployment/apps/web", "`Deployment/apps/web`"],
    ["with a backtick", "a`b", "`` a`b ``"],
    ["on one line", "a\nb", "`a b`"],
  ])("code: %s", (_, text, expected) => {
    expect(code(text)).toBe(expected);
  });

  it("escapes what would open a tag, a link, emphasis or a cell", () => {
    expect(escapeText("<b> [x](y) *a* _b_ a|b ~~c~~ \\")).toBe(
      "\\<b\\> \\[x\\](y) \\*a\\* \\_b\\_ a\\|b \\~\\~c\\~\\~ \\\\",
    );
  });

  it("escapes pipes in a table cell, inside code spans too, but not twice", () => {
    expect(cell("`a|b` c\\|d")).toBe("`a\\|b` c\\|d");
  });

  it("puts the lines after a message's first in a code block under the item", () => {
    expect(listItem("`x`: ", "first *line*\nsecond ```\nthird")).toBe(
      ["- `x`: first \\*line\\*", "", "  ````", "  second ```", "  third", "  ````"].join("\n"),
    );
  });
});
