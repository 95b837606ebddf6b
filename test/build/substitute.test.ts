// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} expressions are what these tests are about

import { describe, expect, it } from "vitest";
import { toFluxYaml } from "../../src/build/substitute/yaml-emit.js";
import {
  checkVariableName,
  collectVariables,
  SubstitutionError,
  substituteObject,
  substituteText,
  substitutionEnabled,
} from "../../src/build/substitute.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function errorOf(run: () => unknown): SubstitutionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SubstitutionError);
    return error as SubstitutionError;
  }
  throw new Error("expected a SubstitutionError");
}

describe("substituteText: envsubst's own test table (fluxcd/pkg envsubst eval_test.go TestExpand)", () => {
  const table: [string, Record<string, string>, string][] = [
    ["abcdEFGH28ij", {}, "abcdEFGH28ij"],
    ["${#var01}", { var01: "abcdEFGH28ij" }, "12"],
    ["${var01^}", { var01: "abcdEFGH28ij" }, "AbcdEFGH28ij"],
    ["${var01^^}", { var01: "abcdEFGH28ij" }, "ABCDEFGH28IJ"],
    ["${var01,}", { var01: "ABCDEFGH28IJ" }, "aBCDEFGH28IJ"],
    ["${var01,,}", { var01: "ABCDEFGH28IJ" }, "abcdefgh28ij"],
    ["${path_name:11}", { path_name: "/home/bozo/ideas/thoughts.for.today" }, "ideas/thoughts.for.today"],
    ["${path_name:11:5}", { path_name: "/home/bozo/ideas/thoughts.for.today" }, "ideas"],
    ["${var=xyz}", { var: "abc" }, "abc"],
    ["${var=xyz}", {}, "xyz"],
    ["something ${var=${default_var}}", { default_var: "foo" }, "something foo"],
    ["foo: ${var=${default_var}-suffix}", { default_var: "foo1" }, "foo: foo1-suffix"],
    ["foo: ${var=prefix${default_var}-suffix}", { default_var: "foo1" }, "foo: prefixfoo1-suffix"],
    ["${var:=xyz}", {}, "xyz"],
    ["${stringZ/%abc/XYZ}", { stringZ: "abcABC123ABCabc" }, "abcABC123ABCXYZ"],
    ["${stringZ/#abc/XYZ}", { stringZ: "abcABC123ABCabc" }, "XYZABC123ABCabc"],
    ["${stringZ//abc/xyz}", { stringZ: "abcABC123ABCabc" }, "xyzABC123ABCxyz"],
    ["${stringZ/abc/xyz}", { stringZ: "abcABC123ABCabc" }, "xyzABC123ABCabc"],
    ["${filename#*.}", { filename: "bash.string.txt" }, "string.txt"],
    ["${filename#*/}", { filename: "path/to/file" }, "to/file"],
    ["${filename#*/}", { filename: "/path/to/file" }, "path/to/file"],
    ["${filename##*.}", { filename: "bash.string.txt" }, "txt"],
    ["${filename##*/}", { filename: "path/to/file" }, "file"],
    ["${filename##*/}", { filename: "/path/to/file" }, "file"],
    ["${filename%.*}", { filename: "bash.string.txt" }, "bash.string"],
    ["${filename%%.*}", { filename: "bash.string.txt" }, "bash"],
    ["${var=${var01^^}}", { var01: "abcdEFGH28ij" }, "ABCDEFGH28IJ"],
    ["$${var01}", { var01: "abcdEFGH28ij" }, "${var01}"],
    [
      "some text ${var01}$${var$${var01}$var01${var01}",
      { var01: "abcdEFGH28ij" },
      "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij",
    ],
    ["something $${var=${default_var}}", { default_var: "foo" }, "something ${var=foo}"],
    ["${stringZ/\\//-}", { stringZ: "foo/bar" }, "foo-bar"],
    ["${stringZ//\\//-}", { stringZ: "foo/bar/baz" }, "foo-bar-baz"],
    ["\\\\something ${var=${default_var}}", { default_var: "foo" }, "\\\\something foo"],
    ["${stringZ/./}", { stringZ: "foo.bar" }, "foobar"],
  ];
  it.each(table)("%s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });
});

describe("substituteText: strict mode (eval_test.go TestExpandStrict)", () => {
  const ok: [string, Record<string, string>, string][] = [
    ["abcdEFGH28ij", {}, "abcdEFGH28ij"],
    ["${foo}", { foo: "bar" }, "bar"],
    ["${foo}", { foo: "" }, ""],
    ["${missing:=default}", { foo: "bar" }, "default"],
    ["${missing:-fallback}", {}, "fallback"],
    ["${missing:=assigned}", {}, "assigned"],
    ["${missing=assigned}", {}, "assigned"],
  ];
  it.each(ok)("%s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars, { strict: true })).toBe(output);
  });

  const missing = [
    "${missing}",
    "${#missing}",
    "${missing^}",
    "${missing^^}",
    "${missing,}",
    "${missing,,}",
    "${missing:0}",
    "${missing:0:10}",
    "${missing/pattern/replacement}",
    "${missing//pattern/replacement}",
    "${missing/#pattern/replacement}",
    "${missing/%pattern/replacement}",
    "${missing#pattern}",
    "${missing##pattern}",
    "${missing%pattern}",
    "${missing%%pattern}",
  ];
  it.each(missing)("%s fails, naming the variable", (input) => {
    const error = errorOf(() => substituteText(input, {}, { strict: true }));
    expect(error.message).toContain('variable not set (strict mode): "missing"');
    expect(error.message).toContain("${missing:=default}");
    // Without strict mode the same expression gives an empty string's result.
    expect(() => substituteText(input, {})).not.toThrow();
  });

  it("evaluates a default's nested variables before looking at the variable, as envsubst does", () => {
    expect(() => substituteText("${set:=${missing}}", { set: "x" }, { strict: true })).toThrow(
      /variable not set \(strict mode\): "missing"/,
    );
    expect(substituteText("${set:=${missing}}", { set: "x" })).toBe("x");
  });
});

describe("substituteText: the string functions, as envsubst implements them", () => {
  // funcs_test.go Test_substr, through expressions (a negative offset needs a nested variable,
  // since ${s:-3} is the default operator).
  const s = "123456789123456789";
  it.each([
    ["${s:0:8}", { s }, "12345678"],
    ["${s:1:8}", { s }, "23456789"],
    ["${s:9}", { s }, "123456789"],
    ["${s:9:50}", { s }, "123456789"],
    ["${s:${o}:2}", { s, o: "-3" }, "78"],
    ["${s:${o}:3}", { s, o: "-300" }, "123"],
    ["${s:9:1}", { s: "12345678" }, ""],
    ["${s:x}", { s: "abc" }, "abc"],
    ["${s:1:x}", { s: "abc" }, "abc"],
    ["${s:1:0}", { s: "abc" }, ""],
  ])("substring %s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it("fails on a negative substring length, where Flux's envsubst panics", () => {
    expect(errorOf(() => substituteText("${s:1:${n}}", { s: "abcdef", n: "-2" })).message).toMatch(
      /substring length -2 is negative/,
    );
  });

  it("counts bytes of UTF-8 for lengths and offsets, as Go does", () => {
    expect(substituteText("${#v}", { v: "héllo" })).toBe("6");
    expect(substituteText("${v:1:2}", { v: "héllo" })).toBe("é");
    expect(substituteText("${v:0:2}", { v: "héllo" })).toBe("h\uFFFD");
  });

  it.each([
    ["${v^}", { v: "élan" }, "Élan"],
    ["${v,,}", { v: "ÀB" }, "àb"],
    ["${v^^}", { v: "straße" }, "STRAßE"],
    ["${v,^}", { v: "Abc" }, "Abc"],
  ])("case: %s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it.each([
    ["${v#[a-c]}", { v: "bcd" }, "cd"],
    ["${v#?}", { v: "/ab" }, "ab"],
    ["${v##*/}", { v: "a/b/c" }, "c"],
    ["${v#\\*}", { v: "*ab" }, "ab"],
    ["${v#[}", { v: "[ab" }, "[ab"],
    // Suffix trims reverse the pattern, character classes included: [0-9] becomes ]9-0[.
    ["${v%[0-9]}", { v: "ab1" }, "ab1"],
    ["${v%.*}", { v: "a.b.c" }, "a.b"],
    ["${v%%.*}", { v: "a.b.c" }, "a"],
  ])("trim: %s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it.each([
    ["${v/*/x}", { v: "a*b" }, "axb"],
    ["${v//${e}/-}", { v: "abc", e: "" }, "-a-b-c-"],
    ["${v/${e}/-}", { v: "abc", e: "" }, "-abc"],
    ["${v/#ab/}", { v: "abc" }, "abc"],
    ["${v/%bc/}", { v: "abc" }, "abc"],
    // Without a second slash inside the braces, the pattern runs on to the next slash in the text.
    ["${v/b}/x}", { v: "ab}c" }, "axc"],
    ["${v/$${x}/y}", { v: "a${x}b" }, "ayb"],
    ["${v//\\\\/\\/}", { v: "a\\b\\c" }, "a/b/c"],
  ])("replace: %s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it.each([
    ["${v:+alt}", { v: "set" }, "set"],
    ["${v:+alt}", {}, "alt"],
    ["${v:?message}", {}, "message"],
    ["${v:-d}", { v: "" }, "d"],
    ["${v=d}", { v: "" }, "d"],
    ["${v:={a}}", {}, "{a}"],
    ["${v:={a}b}", {}, "{ab}"],
    ["${v:=a b  c}", {}, "a b  c"],
    ["${v:=$${x}}", { x: "X" }, "$X"],
  ])("default: %s with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it.each([
    ["$var and $var01", { var: "x" }, "$var and $var01"],
    ["cost: $$5 and $$$x", {}, "cost: $5 and $$x"],
    ["${undefined}", {}, ""],
    ["a${x}b${y}c", { x: "1", y: "2" }, "a1b2c"],
    ["${1abc}", {}, ""],
    ["$", {}, "$"],
    ["}{$}", {}, "}{$}"],
  ])("text: %j with %j gives %j", (input, vars, output) => {
    expect(substituteText(input, vars)).toBe(output);
  });

  it.each([
    ["${var-default}", "missing closing brace"],
    ["${var", "missing closing brace"],
    ["${}", "unable to parse variable name"],
    ["${ var}", "unable to parse variable name"],
    ["${var:}", "unable to parse substitution within function"],
    ["${var:=", "unable to parse substitution within function"],
    ["${#}", "bad substitution"],
    ["${var^x}", "bad substitution"],
    ["${var:é}", "bad substitution"],
    ["${var/abc}", "bad substitution"],
  ])("%j fails to parse: %s", (input, reason) => {
    const message = errorOf(() => substituteText(input, { var: "v" })).message;
    expect(message).toContain(`variable substitution failed: ${reason}`);
    expect(message).toContain("$$");
  });
});

describe("checkVariableName", () => {
  it.each(["a", "_", "_a1", "cluster_env", "CLUSTER_REGION", "__proto__", "A9"])("accepts %j", (name) => {
    expect(() => checkVariableName(name, "postBuild.substitute")).not.toThrow();
  });

  it.each(["", "1abc", "my-var", "my.var", "é", "a b", "a$"])(
    "rejects %j, naming it and its source",
    (name) => {
      const message = errorOf(() => checkVariableName(name, "ConfigMap/cluster-vars")).message;
      expect(message).toContain(`'${name}' var name is invalid`);
      expect(message).toContain("^[_[:alpha:]][_[:alpha:][:digit:]]*$");
      expect(message).toContain("ConfigMap/cluster-vars");
    },
  );
});

describe("collectVariables", () => {
  it("takes substituteFrom in order, later wins, and inline substitute wins over all", () => {
    const vars = collectVariables({ region: "inline" }, [
      { kind: "ConfigMap", name: "first", data: { env: "cm", region: "cm", tier: "cm" } },
      { kind: "Secret", name: "second", data: { env: b64("secret"), region: b64("secret") } },
    ]);
    expect(vars).toEqual({ env: "secret", region: "inline", tier: "cm" });
  });

  it("removes newlines from every value, and only newlines", () => {
    const vars = collectVariables({ a: "x\ny\n" }, [
      { kind: "ConfigMap", name: "cm", data: { b: "line1\nline2\n", c: "keep\r\ttabs" } },
      { kind: "Secret", name: "s", data: { d: b64("-----BEGIN-----\nabc\n-----END-----\n") } },
    ]);
    expect(vars).toEqual({
      a: "xy",
      b: "line1line2",
      c: "keep\r\ttabs",
      d: "-----BEGIN-----abc-----END-----",
    });
  });

  it("decodes Secret data from base64 and rejects data that is not", () => {
    expect(collectVariables(undefined, [{ kind: "Secret", name: "s", data: { t: b64("tökén") } }])).toEqual({
      t: "tökén",
    });
    const message = errorOf(() =>
      collectVariables(undefined, [{ kind: "Secret", name: "creds", data: { token: "not base64!" } }]),
    ).message;
    expect(message).toContain("Secret/creds");
    expect(message).toContain("'token'");
  });

  it("skips a missing optional source and fails on a missing required one, naming it", () => {
    expect(
      collectVariables({ a: "1" }, [
        { kind: "ConfigMap", name: "absent", optional: true },
        { kind: "Secret", name: "absent-too", optional: true },
      ]),
    ).toEqual({ a: "1" });
    const message = errorOf(() =>
      collectVariables({}, [{ kind: "Secret", name: "cluster-secret-vars", optional: false }]),
    ).message;
    expect(message).toContain("substitute from 'Secret/cluster-secret-vars' error");
    expect(message).toContain("optional: true");
    // An empty but present source is fine and defines nothing.
    expect(collectVariables(undefined, [{ kind: "ConfigMap", name: "empty", data: {} }])).toEqual({});
  });

  it("rejects bad variable names, naming the key and where it comes from", () => {
    expect(
      errorOf(() =>
        collectVariables(undefined, [{ kind: "ConfigMap", name: "vars", data: { "bad-key": "x" } }]),
      ).message,
    ).toMatch(/'bad-key' var name is invalid.*ConfigMap\/vars/);
    expect(
      errorOf(() =>
        collectVariables(undefined, [{ kind: "Secret", name: "tls", data: { "tls.crt": b64("x") } }]),
      ).message,
    ).toMatch(/'tls\.crt' var name is invalid.*Secret\/tls/);
    expect(errorOf(() => collectVariables({ "9lives": "x" }, [])).message).toMatch(
      /'9lives' var name is invalid.*postBuild\.substitute/,
    );
  });

  it("keeps a __proto__ variable as an ordinary key", () => {
    const vars = collectVariables({ __proto__: "x" } as Record<string, string>, []);
    expect(Object.keys(vars)).toEqual([]);
    const own = collectVariables(JSON.parse('{"__proto__":"x"}'), []);
    expect(Object.hasOwn(own, "__proto__")).toBe(true);
    expect(substituteText("${__proto__}", own)).toBe("x");
  });
});

describe("substitutionEnabled", () => {
  const withMeta = (metadata: Record<string, unknown>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata });
  it.each([
    [{ name: "a" }, true],
    [{ name: "a", labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, false],
    [{ name: "a", annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, false],
    [{ name: "a", labels: { "kustomize.toolkit.fluxcd.io/substitute": "Disabled" } }, true],
    [{ name: "a", annotations: { "kustomize.toolkit.fluxcd.io/substitute": "enabled" } }, true],
    [{ name: "a", labels: { substitute: "disabled" } }, true],
  ])("%j → %s", (metadata, enabled) => {
    expect(substitutionEnabled(withMeta(metadata))).toBe(enabled);
  });
  it("is true for an object without metadata", () => {
    expect(substitutionEnabled({ kind: "X" })).toBe(true);
  });
});

describe("substituteObject: Flux's documented examples", () => {
  it("substitutes the Namespace from the kustomize-controller docs", () => {
    const namespace = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "apps", labels: { environment: "${cluster_env:=dev}", region: "${cluster_region}" } },
    };
    const vars = collectVariables({ cluster_env: "prod", cluster_region: "eu-central-1" }, [
      { kind: "ConfigMap", name: "cluster-vars", optional: true },
    ]);
    expect(substituteObject(namespace, vars)).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "apps", labels: { environment: "prod", region: "eu-central-1" } },
    });
    // Unset, the default applies, and an undefined variable becomes empty (then YAML null).
    expect(substituteObject(namespace, { other: "x" }).metadata).toEqual({
      name: "apps",
      labels: { environment: "dev", region: null },
    });
  });

  it("reproduces fluxcd/pkg's varsub test: quoted values stay strings, disabled objects stay as they are", () => {
    const vars = collectVariables({ cluster_env: "prod", cluster_region: "eu-central-1" }, [
      {
        kind: "ConfigMap",
        name: "app-vars",
        data: { prometheus_scrape: '"true"', prometheus_port: '"9797"', image: "nginx:1.21.4" },
      },
    ]);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "app",
        namespace: "apps",
        labels: { environment: "${cluster_env:=dev}", region: "${cluster_region}" },
      },
      spec: {
        selector: { matchLabels: { app: "app" } },
        template: {
          metadata: {
            annotations: {
              "prometheus.io/scrape": "${prometheus_scrape:=false}",
              "prometheus.io/port": "${prometheus_port}",
            },
            labels: { app: "app" },
          },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "${image}",
                imagePullPolicy: "IfNotPresent",
                resources: {
                  limits: { cpu: "2000m", memory: "512Mi" },
                  requests: { cpu: "100m", memory: "64Mi" },
                },
              },
            ],
          },
        },
      },
    };
    const config = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        labels: {
          "kustomize.toolkit.fluxcd.io/substitute": "disabled",
          environment: "${cluster_env:=dev}",
          region: "${cluster_region}",
        },
        name: "app-vars",
        namespace: "apps",
      },
      data: {
        prometheus_scrape: "${prometheus_scrape:=false}",
        prometheus_port: "${prometheus_port}",
        image: "${image}",
      },
    };
    const out = [substituteObject(deployment, vars), substituteObject(config, vars)];
    expect(out[1]).toBe(config);
    // kustomization_varsub_expected.yaml, written the way Flux writes it.
    expect(out.map(toFluxYaml).join("---\n")).toBe(
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  labels:",
        "    environment: prod",
        "    region: eu-central-1",
        "  name: app",
        "  namespace: apps",
        "spec:",
        "  selector:",
        "    matchLabels:",
        "      app: app",
        "  template:",
        "    metadata:",
        "      annotations:",
        '        prometheus.io/port: "9797"',
        '        prometheus.io/scrape: "true"',
        "      labels:",
        "        app: app",
        "    spec:",
        "      containers:",
        "      - image: nginx:1.21.4",
        "        imagePullPolicy: IfNotPresent",
        "        name: nginx",
        "        resources:",
        "          limits:",
        "            cpu: 2000m",
        "            memory: 512Mi",
        "          requests:",
        "            cpu: 100m",
        "            memory: 64Mi",
        "---",
        "apiVersion: v1",
        "data:",
        "  image: ${image}",
        "  prometheus_port: ${prometheus_port}",
        "  prometheus_scrape: ${prometheus_scrape:=false}",
        "kind: ConfigMap",
        "metadata:",
        "  labels:",
        "    environment: ${cluster_env:=dev}",
        "    kustomize.toolkit.fluxcd.io/substitute: disabled",
        "    region: ${cluster_region}",
        "  name: app-vars",
        "  namespace: apps",
        "",
      ].join("\n"),
    );
  });

  it("renders empty values as null, strict mode included (fluxcd/pkg varsubstrictempty)", () => {
    const vars = collectVariables({ empty_inline: "" }, [
      { kind: "ConfigMap", name: "app-vars-empty", data: { empty_cm: "" } },
      { kind: "Secret", name: "app-vars-empty", data: { empty_secret: "" } },
    ]);
    const config = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        labels: {
          "from-inline": "${empty_inline}",
          "from-configmap": "${empty_cm}",
          "from-secret": "${empty_secret}",
        },
        name: "app-vars-strict-empty",
        namespace: "apps",
      },
    };
    const strict = substituteObject(config, vars, { strict: true });
    expect(strict.metadata.labels).toEqual({
      "from-inline": null,
      "from-configmap": null,
      "from-secret": null,
    });
    expect(substituteObject(config, { dummy: "x" })).toEqual(strict);
  });

  it("fails in strict mode on an undefined variable, naming it and the object (fluxcd/pkg varsubstrict)", () => {
    const config = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        labels: { environment: "${cluster_env:=dev}", region: "${cluster_region}" },
        name: "app-vars-strict",
        namespace: "apps",
      },
      data: { missing: "${missing}" },
    };
    const vars = { cluster_region: "eu-central-1" };
    const message = errorOf(() => substituteObject(config, vars, { strict: true })).message;
    expect(message).toContain('variable not set (strict mode): "missing" in ConfigMap/apps/app-vars-strict');
    expect(message).toContain("postBuild.substitute");
    expect(substituteObject(config, vars).data).toEqual({ missing: null });
  });

  it("only substitutes when there is a variable, unless always (substituteStrategy: Always)", () => {
    const config = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-vars-always", labels: { environment: "${cluster_env:=dev}" } },
      data: { region: "${cluster_region:=eu-central-1}" },
    };
    expect(substituteObject(config, {})).toBe(config);
    expect(substituteObject(config, {}, { strict: true })).toBe(config);
    expect(substituteObject(config, {}, { always: true })).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-vars-always", labels: { environment: "dev" } },
      data: { region: "eu-central-1" },
    });
  });
});

describe("substituteObject", () => {
  const configMap = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", ...metadata },
    data,
  });

  it("leaves objects labelled or annotated substitute: disabled untouched", () => {
    for (const field of ["labels", "annotations"]) {
      const obj = configMap(
        { script: "echo ${HOME} $${x}" },
        { [field]: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } },
      );
      const copy = structuredClone(obj);
      const out = substituteObject(obj, { HOME: "/root" }, { strict: true, always: true });
      expect(out).toBe(obj);
      expect(out).toEqual(copy);
    }
  });

  it("escapes $${var} to a literal ${var} and leaves a bare $var alone", () => {
    const out = substituteObject(configMap({ script: "echo $${HOME} $HOME ${HOME}" }), { HOME: "/root" });
    expect(out.data).toEqual({ script: "echo ${HOME} $HOME /root" });
  });

  it("returns the object itself when nothing was substituted", () => {
    const obj = configMap({ a: "plain", n: 5 });
    expect(substituteObject(obj, { x: "1" })).toBe(obj);
  });

  it("rejects a bad variable name even when the map did not come from collectVariables", () => {
    expect(
      errorOf(() => substituteObject(configMap({ a: "${ok}" }), { ok: "1", "not-ok": "2" })).message,
    ).toMatch(/'not-ok' var name is invalid/);
  });

  it("gives unquoted values their YAML type, as the substitution happens on YAML text", () => {
    const obj = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app" },
      spec: {
        replicas: "${replicas}",
        paused: "${paused}",
        legacyBool: "${legacy}",
        octal: "${mode}",
        float: "${ratio}",
        underscored: "${big}",
        hex: "${hex}",
        quoted: "${quoted}",
        nothing: "${nothing}",
        tilde: "${tilde}",
        list: "${list}",
        map: "${map}",
        inText: "replicas=${replicas}",
      },
    };
    const vars = {
      replicas: "3",
      paused: "true",
      legacy: "yes",
      mode: "0644",
      ratio: "1e3",
      big: "1_000",
      hex: "0x1F",
      quoted: '"3"',
      nothing: "",
      tilde: "~",
      list: "[a, 2]",
      map: "{k: v}",
    };
    expect(substituteObject(obj, vars).spec).toEqual({
      replicas: 3,
      paused: true,
      legacyBool: true,
      octal: 420,
      float: 1000,
      underscored: 1000,
      hex: 31,
      quoted: "3",
      nothing: null,
      tilde: null,
      list: ["a", 2],
      map: { k: "v" },
      inText: "replicas=3",
    });
  });

  it("breaks on a value that is not valid YAML where it lands, as Flux does", () => {
    const obj = configMap({ url: "${endpoint}" });
    const message = errorOf(() => substituteObject(obj, { endpoint: "host: 8080" })).message;
    expect(message).toContain("after substitution, ConfigMap/cm is not valid YAML");
    expect(message).toContain('"  url: host: 8080"');
    // Quoting inside the value is the way out, as in Flux.
    expect(substituteObject(obj, { endpoint: '"host: 8080"' }).data).toEqual({ url: "host: 8080" });
    // A value with " #" loses the rest to a comment.
    expect(substituteObject(obj, { endpoint: "a #b" }).data).toEqual({ url: "a" });
    // An alias to nothing fails.
    expect(errorOf(() => substituteObject(obj, { endpoint: "*x" })).message).toContain("unknown anchor 'x'");
  });

  it("keeps the quoting Flux's YAML writer gives each string, so quotes and escapes in values matter", () => {
    // "${x}: y" must be single-quoted; a value with a ' then breaks it.
    const single = configMap({ s: "${x}: y" });
    expect(toFluxYaml(single)).toContain("  s: '${x}: y'\n");
    expect(substituteObject(single, { x: "k" }).data).toEqual({ s: "k: y" });
    expect(() => substituteObject(single, { x: "it's" })).toThrow(/not valid YAML/);
    expect(substituteObject(single, { x: "it''s" }).data).toEqual({ s: "it's: y" });
    // A tab forces double quotes, where a backslash in the value is an escape.
    const double = configMap({ d: "\t${x}" });
    expect(toFluxYaml(double)).toContain('  d: "\\t${x}"\n');
    expect(substituteObject(double, { x: "\\u0041" }).data).toEqual({ d: "\tA" });
    expect(() => substituteObject(double, { x: 'say "hi"' })).toThrow(/not valid YAML/);
    // A multi-line string is a literal block: anything without a newline is safe there.
    const block = configMap({ script: "#!/bin/sh\necho ${x}\n" });
    expect(toFluxYaml(block)).toContain("  script: |\n    #!/bin/sh\n    echo ${x}\n");
    expect(substituteObject(block, { x: "a: 'b' #c" }).data).toEqual({
      script: "#!/bin/sh\necho a: 'b' #c\n",
    });
  });

  it("substitutes in keys too", () => {
    const obj = configMap({ "${key}": "v" }, { labels: { "team-${team}": "yes" } });
    const out = substituteObject(obj, { key: "k", team: "a" });
    expect(out.data).toEqual({ k: "v" });
    expect(out.metadata).toEqual({ name: "cm", labels: { "team-a": "yes" } });
  });

  it("folds long plain strings past 80 columns as Flux's writer does, which the substitution sees", () => {
    const long = `${"x".repeat(85)} \${e} tail`;
    const obj = configMap({ long });
    expect(toFluxYaml(obj)).toContain(`  long: ${"x".repeat(85)}\n    \${e} tail\n`);
    // Folded, the empty variable leaves a line break, which reads back as one space (not two).
    expect(substituteObject(obj, { e: "" }).data).toEqual({ long: `${"x".repeat(85)} tail` });
    expect(substituteObject(configMap({ short: "x ${e} tail" }), { e: "" }).data).toEqual({
      short: "x  tail",
    });
  });

  it("writes YAML as go-yaml v2 does: sorted keys, indentless lists, quoted look-alikes", () => {
    const obj = {
      kind: "List",
      b10: 1,
      b9: 2,
      a: ["x", ["y", "z"], { k: "v", j: [] }],
      s: {
        yes: "yes",
        num: "123",
        date: "2024-01-02",
        empty: "",
        base60: "1:20",
        dash: "- x",
        star: "*x",
        emoji: "😀",
        lead: " x",
        float: 1.5,
        big: 1234567.5,
        nul: null,
        obj: {},
      },
    };
    expect(toFluxYaml(obj)).toBe(
      [
        "a:",
        "- x",
        // "y" is a YAML 1.1 boolean to go-yaml, so it is quoted.
        '- - "y"',
        "  - z",
        "- j: []",
        "  k: v",
        "b9: 2",
        "b10: 1",
        "kind: List",
        "s:",
        '  base60: "1:20"',
        "  big: 1.2345675e+06",
        "  dash: '- x'",
        '  date: "2024-01-02"',
        '  emoji: "\\U0001F600"',
        '  empty: ""',
        "  float: 1.5",
        "  lead: ' x'",
        "  nul: null",
        '  num: "123"',
        "  obj: {}",
        "  star: '*x'",
        '  "yes": "yes"',
        "",
      ].join("\n"),
    );
  });

  it("writes keys longer than 128 bytes as complex keys, and still substitutes in them", () => {
    const key = `${"a".repeat(130)}/\${x}`;
    const obj = configMap({}, { annotations: { [key]: "${x}" } });
    expect(toFluxYaml(obj)).toContain(`  annotations:\n    ? ${key}\n    : \${x}\n`);
    // (A value "y" would be the boolean true: YAML 1.1.)
    expect(substituteObject(obj, { x: "z" }).metadata).toEqual({
      name: "cm",
      annotations: { [`${"a".repeat(130)}/z`]: "z" },
    });
  });

  it("reads merges, tags and odd keys back as Flux's YAML reader does", () => {
    const obj = configMap({ v: "${v}" });
    expect(substituteObject(obj, { v: "!!str 5" }).data).toEqual({ v: "5" });
    expect(substituteObject(obj, { v: "!!float 5" }).data).toEqual({ v: 5 });
    expect(errorOf(() => substituteObject(obj, { v: "!!int abc" })).message).toContain(
      "cannot decode !!str `abc`",
    );
    expect(substituteObject(obj, { v: "{1: a, true: b, 1.5: c}" }).data).toEqual({
      v: { "1": "a", true: "b", "1.5": "c" },
    });
    expect(substituteObject(obj, { v: "{<<: {a: 1, b: 2}, b: 3}" }).data).toEqual({ v: { a: 1, b: 3 } });
    expect(errorOf(() => substituteObject(obj, { v: ".inf" })).message).toContain("JSON cannot hold");
  });

  it("fails when a substring cuts a character in two", () => {
    const obj = configMap({ v: "${v:0:2}" });
    expect(errorOf(() => substituteObject(obj, { v: "héllo" })).message).toContain("not valid UTF-8");
  });
});
