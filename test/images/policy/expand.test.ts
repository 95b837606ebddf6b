// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is Go's Expand syntax, what these tests are about
/** Go's Regexp.Expand templates (filterTags.extract); each row checked against Go's ExpandString. */
import { describe, expect, it } from "vitest";
import { compileTemplate } from "../../../src/images/policy/expand.js";
import { compileGoRegexp } from "../../../src/images/policy/go-regexp.js";

function expand(pattern: string, template: string, text: string): string | undefined {
  const regexp = compileGoRegexp(pattern);
  const match = regexp.exec(text);
  return match ? compileTemplate(template, regexp)(match) : undefined;
}

describe("compileTemplate", () => {
  it.each([
    ["ver(\\d+)", "$1", "ver12", "12"],
    ["ver(\\d+)", "${1}", "ver12", "12"],
    ["ver(\\d+)", "$0", "xver12", "ver12"],
    ["(?P<num>\\d+)", "$num", "rc-7", "7"],
    ["(?P<num>\\d+)", "${num}", "rc-7", "7"],
    ["(?P<num>\\d+)", "n=${num}!", "rc-7", "n=7!"],
    // `$name` takes the longest name: `$1x` is `${1x}`, an unknown group, so empty.
    ["(a)(b)", "$1x", "ab", ""],
    ["(a)(b)", "${1}x", "ab", "ax"],
    ["(?P<1x>a)(b)", "$1x|$2", "ab", "a|b"],
    // `$10` is group 10, not `${1}0`; a leading zero makes a name.
    ["(a)", "$10", "a", ""],
    ["(a)", "$01", "a", ""],
    ["(?P<01>a)", "$01", "a", "a"],
    // Up to nine digits are a number, even when a group has that name; ten digits are a name.
    ["(?P<123>a)", "$123|${123}", "a", "|"],
    ["(?P<1234567890>a)", "$1234567890", "a", "a"],
    // `$$` is a dollar sign; a `$` that starts no reference stays.
    ["(a)", "$$1", "a", "$1"],
    ["(a)", "cost: $", "a", "cost: $"],
    ["(a)", "${", "a", "${"],
    ["(a)", "${1", "a", "${1"],
    ["(a)", "$-", "a", "$-"],
    // Missing, unmatched and unknown groups expand to nothing.
    ["(a)|(b)", "[$1][$2]", "b", "[][b]"],
    ["(a)", "$2$name", "a", ""],
    // A name used twice: the first group that matched.
    ["(?P<v>a)|(?P<v>b)", "$v", "b", "b"],
    // Names may hold any letters and digits.
    ["(?P<n>a)", "$nλ-$n", "a", "-a"],
    ["(a)", "", "a", ""],
  ])("%j with %j on %j → %j", (pattern, template, text, expected) => {
    expect(expand(pattern, template, text)).toBe(expected);
  });
});
