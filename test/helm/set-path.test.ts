/**
 * Helm's `--set` parser. The first table holds Helm's own TestParseSet inputs (strvals
 * parser_test.go) and our edge cases; every expected map and error was produced by running Helm's
 * strvals package itself. The error texts differ from Go's, so only the presence of an error is
 * compared there. The later tables are Flux's TestReplacePathValue and TestReplacePathLiteralValue.
 */
import { describe, expect, it } from "vitest";
import {
  parseSetInto,
  replacePathLiteralValue,
  replacePathValue,
  SetPathError,
} from "../../src/helm/set-path.js";
import type { Values } from "../../src/helm/values-map.js";

// [as string, line, expected map (null when Helm fails), Helm's error]
const helm: [boolean, string, Values | null, string | null][] = [
  [true, "long_int_string=1234567890", { long_int_string: "1234567890" }, null],
  [true, "boolean=true", { boolean: "true" }, null],
  [true, "is_null=null", { is_null: "null" }, null],
  [true, "zero=0", { zero: "0" }, null],
  [false, "name1=null,f=false,t=true", { f: false, name1: null, t: true }, null],
  [false, "name1=value1", { name1: "value1" }, null],
  [false, "name1=value1,name2=value2", { name1: "value1", name2: "value2" }, null],
  [false, "name1=value1,name2=value2,", { name1: "value1", name2: "value2" }, null],
  [false, "name1=value1,,,,name2=value2,", null, 'key "" has no value (cannot end with ,)'],
  [false, "name1=,name2=value2", { name1: "", name2: "value2" }, null],
  [false, "leading_zeros=00009", { leading_zeros: "00009" }, null],
  [false, "zero_int=0", { zero_int: 0 }, null],
  [false, "long_int=1234567890", { long_int: 1234567890 }, null],
  [false, "boolean=true", { boolean: true }, null],
  [false, "is_null=null", { is_null: null }, null],
  [false, "name1,name2=", null, 'key "name1" has no value (cannot end with ,)'],
  [false, "name1,name2=value2", null, 'key "name1" has no value (cannot end with ,)'],
  [false, "name1,name2=value2\\", null, 'key "name1" has no value (cannot end with ,)'],
  [false, "name1,name2", null, 'key "name1" has no value (cannot end with ,)'],
  [false, "name1=one\\,two,name2=three\\,four", { name1: "one,two", name2: "three,four" }, null],
  [false, "name1=one\\=two,name2=three\\=four", { name1: "one=two", name2: "three=four" }, null],
  [
    false,
    "name1=one two three,name2=three two one",
    { name1: "one two three", name2: "three two one" },
    null,
  ],
  [false, "outer.inner=value", { outer: { inner: "value" } }, null],
  [false, "outer.middle.inner=value", { outer: { middle: { inner: "value" } } }, null],
  [false, "outer.inner1=value,outer.inner2=value2", { outer: { inner1: "value", inner2: "value2" } }, null],
  [
    false,
    "outer.inner1=value,outer.middle.inner=value",
    { outer: { inner1: "value", middle: { inner: "value" } } },
    null,
  ],
  [false, "name1.name2", null, 'key "name2" has no value'],
  [false, "name1.name2,name1.name3", null, 'key "name2" has no value (cannot end with ,)'],
  [false, "name1.name2=", { name1: { name2: "" } }, null],
  [false, "name1.=name2", null, 'key map "name1" has no value'],
  [false, "name1.,name2", null, 'key "" has no value (cannot end with ,)'],
  [false, "name1={value1,value2}", { name1: ["value1", "value2"] }, null],
  [
    false,
    "name1={value1,value2},name2={value1,value2}",
    { name1: ["value1", "value2"], name2: ["value1", "value2"] },
    null,
  ],
  [false, "name1={1021,902}", { name1: [1021, 902] }, null],
  [false, "name1.name2={value1,value2}", { name1: { name2: ["value1", "value2"] } }, null],
  [false, "name1={1021,902", null, "list must terminate with '}'"],
  [false, "list[0]=foo", { list: ["foo"] }, null],
  [false, "list[0].foo=bar", { list: [{ foo: "bar" }] }, null],
  [false, "list[0].foo=bar,list[0].hello=world", { list: [{ foo: "bar", hello: "world" }] }, null],
  [false, "list[0].foo=bar,list[-30].hello=world", null, "negative -30 index not allowed"],
  [false, "list[0]=foo,list[1]=bar", { list: ["foo", "bar"] }, null],
  [false, "list[0]=foo,list[1]=bar,", { list: ["foo", "bar"] }, null],
  [false, "list[0]=foo,list[3]=bar", { list: ["foo", null, null, "bar"] }, null],
  [false, "list[0]=foo,list[-20]=bar", null, "negative -20 index not allowed"],
  [false, "illegal[0]name.foo=bar", null, "unexpected data at end of array index: ['n' 'a' 'm' 'e']"],
  [false, "noval[0]", { noval: [] }, null],
  [false, "noval[0]=", { noval: [""] }, null],
  [false, "nested[0][0]=1", { nested: [[1]] }, null],
  [false, "nested[1][1]=1", { nested: [null, [null, 1]] }, null],
  [
    false,
    "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
    { name1: { name2: [{ foo: "bar" }, { foo: "bar" }] } },
    null,
  ],
  [
    false,
    "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
    { name1: { name2: [{ foo: "bar" }, { foo: "bar" }] } },
    null,
  ],
  [false, "name1.name2[1].foo=bar", { name1: { name2: [null, { foo: "bar" }] } }, null],
  [
    false,
    "]={}].",
    null,
    "unable to parse key: interface conversion: interface {} is []interface {}, not map[string]interface {}",
  ],
  [
    false,
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a1.b1.c1.d1=x",
    {
      a: {
        b: {
          c: {
            d: {
              e: {
                f: {
                  g: {
                    h: {
                      i: {
                        j: {
                          k: {
                            l: {
                              m: {
                                n: {
                                  o: {
                                    p: {
                                      q: {
                                        r: {
                                          s: {
                                            t: {
                                              u: {
                                                v: {
                                                  w: { x: { y: { z: { a1: { b1: { c1: { d1: "x" } } } } } } },
                                                },
                                              },
                                            },
                                          },
                                        },
                                      },
                                    },
                                  },
                                },
                              },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    null,
  ],
  [
    false,
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a1.b1.c1=x",
    {
      a: {
        b: {
          c: {
            d: {
              e: {
                f: {
                  g: {
                    h: {
                      i: {
                        j: {
                          k: {
                            l: {
                              m: {
                                n: {
                                  o: {
                                    p: {
                                      q: {
                                        r: {
                                          s: {
                                            t: {
                                              u: {
                                                v: { w: { x: { y: { z: { a1: { b1: { c1: "x" } } } } } } },
                                              },
                                            },
                                          },
                                        },
                                      },
                                    },
                                  },
                                },
                              },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    null,
  ],
  [
    false,
    "nodeSelector.kubernetes\\.io/role=master",
    { nodeSelector: { "kubernetes.io/role": "master" } },
    null,
  ],
  [false, "a[x]=1", null, 'error parsing index: strconv.Atoi: parsing "x": invalid syntax'],
  [false, "a[ 1]=1", null, 'error parsing index: strconv.Atoi: parsing " 1": invalid syntax'],
  [false, "a[0", {}, null],
  [false, "a[65537]=x", null, "index of 65537 is greater than maximum supported index of 65536"],
  [
    false,
    "a[99999999999999999999]=x",
    null,
    'error parsing index: strconv.Atoi: parsing "99999999999999999999": value out of range',
  ],
  [false, "a[+1]=x", { a: [null, "x"] }, null],
  [false, "a[0][1]", { a: [] }, null],
  [false, "a[0].b=", { a: [] }, null],
  [false, "a[0].b", null, 'key "b" has no value'],
  [false, "n=-12", { n: -12 }, null],
  [false, "n=+7", { n: 7 }, null],
  [false, "n=-0", { n: 0 }, null],
  [false, "n=1.5", { n: "1.5" }, null],
  [false, "n=TRUE", { n: true }, null],
  [false, "n=Null", { n: null }, null],
  [false, "n=9223372036854775808", { n: "9223372036854775808" }, null],
  [false, "n=0x10", { n: "0x10" }, null],
  [false, "x={a,b}y=1", { x: ["a", "b"], y: 1 }, null],
  [false, "x={}", { x: [""] }, null],
  [false, "x={a,}", { x: ["a", ""] }, null],
  [false, ".a=1", {}, null],
  [false, "[0]=1", {}, null],
  [false, "a=b=c", { a: "b=c" }, null],
  [false, "a=x\\", { a: "x" }, null],
  [false, "kafka.brokers=kafka01.net:9092,kafka02.net:9092", null, 'key "net:9092" has no value'],
  [
    false,
    "a=1,a.b=2",
    null,
    "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}",
  ],
  [
    false,
    "a.b=1,a[0]=2",
    null,
    "unable to parse key: interface conversion: interface {} is map[string]interface {}, not []interface {}",
  ],
  [
    false,
    "a=1,a[0]=2",
    null,
    "unable to parse key: interface conversion: interface {} is int64, not []interface {}",
  ],
];

describe("parseSetInto matches Helm's strvals", () => {
  it.each(helm)("string=%s %s", (asString, line, want, error) => {
    const dest: Values = {};
    if (error !== null) {
      expect(() => parseSetInto(line, dest, asString)).toThrow(SetPathError);
      return;
    }
    parseSetInto(line, dest, asString);
    expect(dest).toEqual(want);
  });

  it("keeps integers beyond 2^53 exact, as Go's int64", () => {
    const dest: Values = {};
    parseSetInto("n=9223372036854775807", dest, false);
    expect(dest).toEqual({ n: 9223372036854775807n });
  });

  it("merges into existing maps and lists (Helm's TestParseInto)", () => {
    const dest: Values = { outer: { inner1: "overwrite", inner2: "value2" } };
    parseSetInto("outer.inner1=value1,outer.inner3=value3,outer.inner4=4", dest, false);
    parseSetInto("listOuter[0][0].type=listValue", dest, false);
    parseSetInto("listOuter[1][0].status=alive", dest, false);
    expect(dest).toEqual({
      outer: { inner1: "value1", inner2: "value2", inner3: "value3", inner4: 4 },
      listOuter: [[{ type: "listValue" }], [{ status: "alive" }]],
    });
  });

  it("writes into an existing list in place but grows a copy", () => {
    const shared = ["a", "b"];
    const dest: Values = { list: shared };
    parseSetInto("list[0]=x", dest, false);
    expect(shared).toEqual(["x", "b"]);
    parseSetInto("list[3]=y", dest, false);
    expect(shared).toEqual(["x", "b"]);
    expect(dest.list).toEqual(["x", "b", null, "y"]);
  });

  it("treats __proto__ as a plain key", () => {
    const dest: Values = {};
    parseSetInto("__proto__.polluted=1", dest, false);
    expect(Object.hasOwn(dest, "__proto__")).toBe(true);
    expect(({} as Values).polluted).toBeUndefined();
  });

  it.each([
    ["a[x]=1", 'error parsing index: invalid syntax "x"'],
    ["a=1,a.b=2", 'unable to parse key: "a" is a number, not a map'],
    ["a.b=1,a[0]=2", 'unable to parse key: "a" is a map, not a list'],
  ])("names the line in its error: %s", (line, detail) => {
    expect(() => parseSetInto(line, {}, false)).toThrow(`--set ${JSON.stringify(line)}: ${detail}`);
  });
});

describe("replacePathValue (Flux's TestReplacePathValue)", () => {
  it.each<[string, string, string, Values]>([
    ["outer inner", "outer.inner", "value", { outer: { inner: "value" } }],
    ["inline list", "name", "{a,b,c}", { name: ["a", "b", "c"] }],
    ["with escape", "name", "value1\\,value2", { name: "value1,value2" }],
    ["boolean value", "merge.at.specific.path", "true", { merge: { at: { specific: { path: true } } } }],
    [
      "set-string behaviour",
      "merge.at.specific.path",
      '"true"',
      { merge: { at: { specific: { path: "true" } } } },
    ],
    ["single quotes", "a", "'42'", { a: "42" }],
    ["unquoted integer", "a", "42", { a: 42 }],
    ["all surrounding quotes trimmed", "a", "\"'x'\"", { a: "x" }],
    ["array item", "merge.at[2]", "value", { merge: { at: [null, null, "value"] } }],
    [
      "dot sequence escaping path",
      "nodeSelector.kubernetes\\.io/role",
      "master",
      { nodeSelector: { "kubernetes.io/role": "master" } },
    ],
    ["value with = sign", "a", "b=c", { a: "b=c" }],
    ["comma sets a second key", "a", "x,b=y", { a: "x", b: "y" }],
  ])("%s", (_name, path, value, want) => {
    const dest: Values = {};
    replacePathValue(dest, path, value);
    expect(dest).toEqual(want);
  });

  it.each([
    ["kafka.brokers", "kafka01.net:9092,kafka02.net:9092", 'key "net:9092" has no value'],
    [
      "externalConfig.application\\.yml.content",
      "endpoints: [a,b,c]",
      'key "b" has no value (cannot end with ,)',
    ],
    ["a[x]", "v", "error parsing index"],
    ["a,b", "v", 'key "a" has no value (cannot end with ,)'],
  ])("rejects %s = %s, naming the path only", (path, value, detail) => {
    const error = (() => {
      try {
        replacePathValue({}, path, value);
      } catch (caught) {
        return caught as SetPathError;
      }
    })();
    expect(error).toBeInstanceOf(SetPathError);
    expect(error?.message).toContain(`target path ${JSON.stringify(path)}: `);
    expect(error?.message).toContain(detail);
  });
});

describe("replacePathLiteralValue (Flux's TestReplacePathLiteralValue)", () => {
  const yamlFile =
    'server:\n  port: 8080\nmanagement:\n  endpoints:\n    web:\n      exposure:\n        include: [ "prometheus", "health" ]\n';
  const hocon = 'kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n  group = "svc.consumer"\n}\n';
  it.each<[string, string, string, Values]>([
    ["simple string", "outer.inner", "value", { outer: { inner: "value" } }],
    ["commas", "name", "a,b,c", { name: "a,b,c" }],
    ["braces", "name", "{a,b,c}", { name: "{a,b,c}" }],
    ["equals signs", "name", "foo=bar=baz", { name: "foo=bar=baz" }],
    ["brackets", "config", "endpoints: [a, b, c]", { config: "endpoints: [a, b, c]" }],
    [
      "multi-line YAML",
      "externalConfig.application\\.yml.content",
      yamlFile,
      { externalConfig: { "application.yml": { content: yamlFile } } },
    ],
    [
      "HOCON",
      "externalConfig.application\\.conf.content",
      hocon,
      { externalConfig: { "application.conf": { content: hocon } } },
    ],
    ["JSON string", "subnet_ids", '["a","b","c"]', { subnet_ids: '["a","b","c"]' }],
    ["boolean-like string", "feature.enabled", "true", { feature: { enabled: "true" } }],
    [
      "dot escape in path",
      "nodeSelector.kubernetes\\.io/role",
      "master",
      { nodeSelector: { "kubernetes.io/role": "master" } },
    ],
    [
      "flux2#2625 brokers",
      "kafka.brokers",
      "kafka01.net:9092,kafka02.net:9092,kafka03.net:9092",
      { kafka: { brokers: "kafka01.net:9092,kafka02.net:9092,kafka03.net:9092" } },
    ],
    ["backslashes", "a", "C:\\dir\\", { a: "C:\\dir\\" }],
    ["quotes kept", "a", '"x"', { a: '"x"' }],
  ])("%s", (_name, path, value, want) => {
    const dest: Values = {};
    replacePathLiteralValue(dest, path, value);
    expect(dest).toEqual(want);
  });
});
