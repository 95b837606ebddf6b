import { describe, expect, it } from "vitest";
import { parseMarker, setterValue } from "../../../src/images/setters/index.js";
import { DIGEST, policies } from "./support.js";

describe("parseMarker", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["Flux's form", '# {"$imagepolicy": "apps:web"}', "apps:web"],
    ["with a suffix", '# {"$imagepolicy": "apps:web:tag"}', "apps:web:tag"],
    ["no spaces", '#{"$imagepolicy":"apps:web"}', "apps:web"],
    ["spaces and tabs around the JSON", '#   { "$imagepolicy" :\t"apps:web" }  ', "apps:web"],
    ["several #", '## {"$imagepolicy": "apps:web"}', "apps:web"],
    ["a carriage return", '# {"$imagepolicy": "apps:web"}\r', "apps:web"],
    ["other string keys", '# {"note": "x", "$imagepolicy": "apps:web"}', "apps:web"],
    ["a null among the values", '# {"note": null, "$imagepolicy": "apps:web"}', "apps:web"],
    ["an escaped key, as Go reads it", '# {"\\u0024imagepolicy": "apps:web"}', "apps:web"],
    ["the last of two keys wins", '# {"$imagepolicy": "a:b", "$imagepolicy": "apps:web"}', "apps:web"],
    ["spaces inside the name are kept", '# {"$imagepolicy": " apps:web"}', " apps:web"],
    ["a number among the values", '# {"$imagepolicy": "apps:web", "since": 2}', undefined],
    ["a number as the name", '# {"$imagepolicy": 1}', undefined],
    ["an empty name", '# {"$imagepolicy": ""}', undefined],
    ["text after the JSON", '# {"$imagepolicy": "apps:web"} pinned', undefined],
    ["text before the JSON", '# see {"$imagepolicy": "apps:web"}', undefined],
    ["another key's case", '# {"$ImagePolicy": "apps:web"}', undefined],
    ["an array", '# [{"$imagepolicy": "apps:web"}]', undefined],
    ["JSON null", "# null", undefined],
    ["prose", "# just a comment", undefined],
  ];
  it.each(cases)("%s", (_, comment, expected) => {
    expect(parseMarker(comment)).toBe(expected);
  });
});

describe("setterValue", () => {
  const cases: Array<[string, string | undefined]> = [
    ["apps:web", "ghcr.io/acme/web:1.5.0"],
    ["apps:web:tag", "1.5.0"],
    ["apps:web:name", "ghcr.io/acme/web"],
    ["apps:web:digest", ""],
    ["jobs:report", `ghcr.io/acme/report:3.2.0@${DIGEST}`],
    ["jobs:report:tag", "3.2.0"],
    ["jobs:report:name", "ghcr.io/acme/report"],
    ["jobs:report:digest", DIGEST],
    ["apps:web:sha", undefined],
    ["apps:web:tag:tag", undefined],
    ["other-ns:web", undefined],
    ["other-ns:web:tag", undefined],
    ["web", undefined],
    ["apps", undefined],
    ["", undefined],
  ];
  it.each(cases)("%s", (setter, expected) => {
    expect(setterValue(setter, policies)).toBe(expected);
  });
});
