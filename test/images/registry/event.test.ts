// GitHub's package webhooks, from @octokit/webhooks-examples (which has `package` examples only:
// a GitHub App receives the same payload keyed `registry_package`) and edited copies of them.
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import { parsePackageEvent } from "../../../src/images/registry/index.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/** The parts of a package payload these tests read or edit. */
interface Package {
  name: string;
  namespace?: string;
  package_type?: string;
  package_version: {
    package_url?: string;
    // Absent from the npm examples.
    container_metadata: { tag: { name: string; digest: string } };
  };
}
interface Payload {
  action: string;
  package: Package;
}

function packageExample(pick: (payload: Payload) => boolean): Payload {
  const definition = examples.find((d) => d.name === "package");
  const payload = (definition?.examples as Payload[] | undefined)?.find(pick);
  if (!payload) throw new Error("no such package example in @octokit/webhooks-examples");
  return structuredClone(payload);
}

/** The container example: package_url `ghcr.io/Codertocat/hello-world:`, an empty tag. */
const containerExample = () =>
  packageExample((p) => p.package.package_version.container_metadata !== undefined);
/** An npm package version. */
const npmExample = () =>
  packageExample((p) => p.package.package_type === "npm" && !p.package.package_version.container_metadata);

/** The container example as a tagged container push. */
function taggedContainer(tag = "1.4.2"): Payload {
  const payload = containerExample();
  payload.package.package_type = "CONTAINER";
  payload.package.package_version.container_metadata.tag.name = tag;
  payload.package.package_version.package_url = `ghcr.io/Codertocat/hello-world:${tag}`;
  return payload;
}

/** The same delivery as a GitHub App receives it. */
function asRegistryPackage(payload: Payload): { action: string; registry_package: Package } {
  const { package: pkg, ...rest } = payload;
  return { ...rest, registry_package: pkg };
}

function parse(event: string, payload: unknown) {
  const reasons: string[] = [];
  const image = parsePackageEvent(event, payload, (reason) => reasons.push(reason));
  return { image, reasons };
}

describe("parsePackageEvent", () => {
  it("reads a tagged container push from a package event", () => {
    expect(parse("package", taggedContainer())).toEqual({
      image: {
        image: "ghcr.io/codertocat/hello-world",
        tag: "1.4.2",
        digest: "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b",
      },
      reasons: [],
    });
  });

  it("reads the same push from a registry_package event, as a GitHub App receives it", () => {
    expect(parse("registry_package", asRegistryPackage(taggedContainer("v2.0.0-rc.1"))).image).toEqual({
      image: "ghcr.io/codertocat/hello-world",
      tag: "v2.0.0-rc.1",
      digest: "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b",
    });
  });

  it("reads a real-shaped registry_package payload with a nested package name", () => {
    // Shaped like ghcr.io deliveries: namespace is the owner, package_type CONTAINER,
    // package_url the pull reference, the tag's digest that of the index.
    const digest = `sha256:${"4e".repeat(32)}`;
    const payload = {
      action: "published",
      registry_package: {
        id: 901,
        name: "tools/cli",
        namespace: "Acme-Corp",
        ecosystem: "CONTAINER",
        package_type: "CONTAINER",
        html_url: "https://github.com/orgs/Acme-Corp/packages/container/package/tools%2Fcli",
        package_version: {
          id: 77,
          version: digest,
          name: digest,
          container_metadata: {
            tag: { name: "v3.1.0", digest },
            labels: { all_labels: {} },
            manifest: { media_type: "application/vnd.oci.image.index.v1+json" },
          },
          package_url: "ghcr.io/Acme-Corp/tools/cli:v3.1.0",
        },
        registry: { type: "CONTAINER", url: "https://CONTAINER.pkg.github.com/Acme-Corp" },
      },
      organization: { login: "Acme-Corp" },
      sender: { login: "octocat" },
    };
    expect(parse("registry_package", payload)).toEqual({
      image: { image: "ghcr.io/acme-corp/tools/cli", tag: "v3.1.0", digest },
      reasons: [],
    });
  });

  it("takes the image from namespace and name when there is no package_url", () => {
    const payload = taggedContainer();
    delete payload.package.package_version.package_url;
    payload.package.namespace = "Acme";
    payload.package.name = "App";
    expect(parse("package", payload).image?.image).toBe("ghcr.io/acme/app");
  });

  it("keeps a tag without a digest", () => {
    const payload = taggedContainer();
    payload.package.package_version.container_metadata.tag.digest = "";
    expect(parse("package", payload).image).toEqual({
      image: "ghcr.io/codertocat/hello-world",
      tag: "1.4.2",
    });
  });

  it("ignores an untagged version (a per-platform manifest)", () => {
    const payload = containerExample();
    payload.package.package_type = "CONTAINER";
    expect(parse("registry_package", asRegistryPackage(payload))).toEqual({
      image: undefined,
      reasons: [
        "untagged version of ghcr.io/codertocat/hello-world (a per-platform manifest or a push by digest)",
      ],
    });
  });

  it("ignores the example as published: its package_type is npm", () => {
    expect(parse("package", containerExample()).reasons).toEqual([
      "hello-world-npm is a package of type npm, not a container image",
    ]);
  });

  it("ignores an npm package", () => {
    expect(parse("package", npmExample()).reasons).toEqual([
      "hello-world-npm is a package of type npm, not a container image",
    ]);
    const maven = asRegistryPackage(npmExample());
    maven.registry_package.package_type = "maven";
    expect(parse("registry_package", maven).reasons).toEqual([
      "hello-world-npm is a package of type maven, not a container image",
    ]);
  });

  it("ignores actions other than published", () => {
    const payload = taggedContainer();
    payload.action = "updated";
    expect(parse("package", payload).reasons).toEqual(['package action "updated", not "published"']);
  });

  it("ignores other events and malformed payloads, saying why", () => {
    expect(parse("push", taggedContainer()).reasons).toEqual(["push is not a package event"]);
    expect(parse("registry_package", taggedContainer()).reasons).toEqual([
      'malformed registry_package payload: no "registry_package" object',
    ]);
    const noType = taggedContainer();
    delete noType.package.package_type;
    expect(parse("package", noType).reasons).toEqual([
      "malformed package payload: package.package_type: Invalid input: expected string, received undefined",
    ]);
    expect(parse("package", "not json").reasons[0]).toMatch(/^malformed package payload: /);
    expect(parsePackageEvent("package", null)).toBeUndefined();
  });

  it("ignores a tag Docker would not accept", () => {
    const payload = taggedContainer();
    payload.package.package_version.container_metadata.tag.name = "-bad";
    expect(parse("package", payload).reasons).toEqual([
      'package: invalid image reference "ghcr.io/codertocat/hello-world:-bad@sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b": "-bad" is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)',
    ]);
  });
});
