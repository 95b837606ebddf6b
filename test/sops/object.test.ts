import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { decryptObject, decryptText, SopsError } from "../../src/sops/index.js";
import { expectNoSecrets, fixture, flux, fluxKeys, sopsProjectKeys } from "./support.js";

/**
 * Flux's kustomize-controller test tree (test/fixtures/sops/flux) as its build would hand the objects
 * over: names prefixed (`sops-` + each folder's prefix), generator output as kustomize writes it. The
 * expected values are the ones Flux's test asserts after the build.
 */

type Obj = Record<string, unknown>;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A resource file as the build emits it, under its prefixed name. */
function resource(path: string, name: string): Obj {
  const obj = parse(fixture(path)) as Obj;
  (obj.metadata as Obj).name = name;
  return obj;
}

/** What a Secret holds once applied: data decoded, stringData merged in. */
function secretValues(secret: Obj): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries((secret.data as Record<string, string>) ?? {})) {
    values[key] = Buffer.from(value, "base64").toString("utf8");
  }
  Object.assign(values, (secret.stringData as Record<string, string>) ?? {});
  return values;
}

/** kustomize secretGenerator `envs:`: one (sorted) entry per line of the env file, base64. */
function envsSecret(name: string, envFile: string): Obj {
  const data: Record<string, string> = {};
  const lines = fixture(envFile)
    .split("\n")
    .filter((line) => line && !line.startsWith("#"));
  for (const line of lines.sort()) {
    const at = line.indexOf("=");
    data[line.slice(0, at)] = b64(line.slice(at + 1));
  }
  return { apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", data };
}

/** kustomize secretGenerator `files: [key=file]`: the whole file under one key, base64. */
function filesSecret(name: string, key: string, file: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name },
    type: "Opaque",
    data: { [key]: b64(fixture(file)) },
  };
}

const buildSecrets: ReadonlyArray<
  readonly [name: string, build: () => Obj, expected: Record<string, string>]
> = [
  ["sops-algo-age", () => resource("flux/algorithms/age.yaml", "sops-algo-age"), { key: "value" }],
  ["sops-algo-age-pq", () => resource("flux/algorithms/age-pq.yaml", "sops-algo-age-pq"), { key: "value" }],
  ["sops-algo-pgp", () => resource("flux/algorithms/pgp.yaml", "sops-algo-pgp"), { key: "value" }],
  ["sops-inside-secret", () => resource("flux/inside/secret.yaml", "sops-inside-secret"), { key: "value" }],
  ["sops-envs-secret", () => envsSecret("sops-envs-secret", "flux/envs/env.env"), { key: "value" }],
  ["sops-component", () => envsSecret("sops-component", "flux/component/env.env"), { key: "value" }],
  [
    "sops-files-secret",
    () => filesSecret("sops-files-secret", "key", "flux/files/file.txt"),
    { key: "value" },
  ],
];

describe("decryptObject on Flux's build output", () => {
  it.each(buildSecrets)("Secret %s decrypts", async (name, build, expected) => {
    const input = build();
    const snapshot = structuredClone(input);
    const output = await decryptObject(input, fluxKeys, "clusters/test");
    expect(secretValues(output)).toEqual(expected);
    expect(output).not.toHaveProperty("sops");
    expect((output.metadata as Obj).name).toBe(name);
    expect(input).toEqual(snapshot); // the input is not modified
  });

  it("Secret sops-patches-secret: literals merged with the decrypted patches", async () => {
    // Flux decrypts patch files before kustomize merges them (DecryptSources); so does the build.
    const generated: Obj = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sops-patches-secret" },
      data: { key: b64("value") },
    };
    for (const patch of ["flux/patches/merge1.yaml", "flux/patches/merge2.yaml"]) {
      const decrypted = parse(await decryptText(fixture(patch), "yaml", fluxKeys, patch)) as Obj;
      const data = generated.data as Record<string, string>;
      for (const [key, value] of Object.entries(decrypted.stringData as Record<string, string>))
        data[key] = b64(value);
    }
    expect(secretValues(generated)).toEqual({ key: "merge1", merge2: "merge2" });
    // The encrypted patches are SOPS documents themselves.
    const patch = await decryptObject(parse(fixture("flux/patches/merge1.yaml")), fluxKeys);
    expect(patch.stringData).toEqual({ key: "merge1" });
  });

  it.each([
    ["sops-envs-configmap", "flux/envs/env.env", "dotenv", "key=value\n"],
    ["sops-files-configmap", "flux/files/file.txt", "binary", "value"],
  ] as const)(
    "ConfigMap %s: the build decrypts the generator's source file first",
    async (_name, file, format, out) => {
      expect(await decryptText(fixture(file), format, fluxKeys, file)).toBe(out);
    },
  );

  it("leaves objects that are not encrypted unchanged", async () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { key: "ENC[x]" },
    };
    expect(await decryptObject(configMap, fluxKeys)).toBe(configMap);
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { key: b64("plain") } };
    expect(await decryptObject(secret, fluxKeys)).toBe(secret);
    const custom = { apiVersion: "x/v1", kind: "Tool", metadata: { name: "t" }, sops: { enabled: true } };
    expect(await decryptObject(custom, fluxKeys)).toBe(custom);
  });

  it("leaves objects annotated kustomize.toolkit.fluxcd.io/decrypt: disabled alone", async () => {
    const obj = resource("flux/algorithms/age.yaml", "sops-algo-age");
    (obj.metadata as Obj).annotations = { "kustomize.toolkit.fluxcd.io/decrypt": "Disabled" };
    expect(await decryptObject(obj, fluxKeys)).toBe(obj);
  });

  it.each([
    // Each entry comes out in the format its key names (Flux's formatForPath), whatever it was encrypted as.
    ["config.yaml", "sops-project/format.enc.yaml", "foo: bar\n"],
    ["config.json", "sops-project/format.enc.json", '{\n\t"foo": "bar"\n}\n'],
    ["from-yaml.json", "sops-project/format.enc.yaml", '{\n\t"foo": "bar"\n}\n'],
    ["from-json.yaml", "sops-project/format.enc.json", "foo: bar\n"],
    ["app.env", "sops-project/format.enc.env", "foo = bar\n"],
    [".dockerconfigjson", "sops-project/format.enc.json", '{\n\t"foo": "bar"\n}\n'],
  ])("a Secret entry %s holding %s", async (key, file, expected) => {
    const secret = filesSecret("s", key, file);
    const output = await decryptObject(secret, sopsProjectKeys);
    expect(secretValues(output)[key]).toBe(expected);
    // The same file in stringData (not base64).
    const plain = { ...secret, data: undefined, stringData: { [key]: fixture(file) } };
    expect(secretValues(await decryptObject(plain, sopsProjectKeys))[key]).toBe(expected);
  });

  it("checks the MAC of a file carried whole in a Secret entry", async () => {
    const secret = filesSecret("s", "no-mac.yaml", "sops-project/no_mac.yaml");
    await expect(decryptObject(secret, sopsProjectKeys, "apps/secret.yaml")).rejects.toThrow(
      /^apps\/secret\.yaml \(Secret s\) data\.no-mac\.yaml: has no MAC/,
    );
  });

  it("a wrong key names the object and the wanted recipient, without plaintext", async () => {
    const obj = resource("flux/algorithms/age.yaml", "sops-algo-age");
    (obj.metadata as Obj).namespace = "apps";
    const error = await decryptObject(obj, { age: [flux.ageGlobal], pgp: [] }, "clusters/prod").catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SopsError);
    expect(error.message).toMatch(
      /^clusters\/prod \(Secret apps\/sops-algo-age\): cannot decrypt the SOPS data key/,
    );
    expect(error.message).toContain(flux.ageRecipient);
    expectNoSecrets(error.message, ["value", flux.ageGlobal]);
  });

  it("a value moved to another key does not decrypt (its path is authenticated)", async () => {
    const obj = resource("flux/algorithms/age.yaml", "sops-algo-age");
    const stringData = obj.stringData as Record<string, string>;
    stringData.other = stringData.key ?? "";
    delete stringData.key;
    await expect(decryptObject(obj, fluxKeys)).rejects.toThrow(
      /Secret sops-algo-age: the value at stringData\.other failed authentication/,
    );
  });

  it("a plain value where the rules expect an encrypted one is an error", async () => {
    const obj = resource("flux/algorithms/age.yaml", "sops-algo-age");
    (obj.stringData as Record<string, string>).added = "clear text";
    const error = await decryptObject(obj, fluxKeys).catch((e) => e);
    expect(error.message).toContain("the value at stringData.added is not a SOPS-encrypted value");
    expectNoSecrets(error.message, ["clear text"]);
  });
});
