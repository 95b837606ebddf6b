import { afterEach, describe, expect, it } from "vitest";
import {
  ChartSourceError,
  chartImage,
  resolveOciChartVersion,
} from "../../../src/helm/chart-source/index.js";
import {
  type ImageReference,
  RegistryClient,
  RegistryError,
  type TagLister,
} from "../../../src/images/registry/index.js";
import { type FakeRegistry, startFakeRegistry } from "../../support/fake-registry.js";

/** A registry that answers from a list and records what was asked. */
function tagLister(tags: string[]): TagLister & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    listTags: async (image: string | ImageReference) => {
      asked.push(typeof image === "string" ? image : image.name);
      return tags;
    },
  };
}

const tags = ["0.1.0", "0.2.0", "0.10.0", "1.0.0-rc.1", "v1.5.0", "0.3.0_b", "0.3.0_a", "latest", "1.0"];

describe("resolveOciChartVersion", () => {
  it.each<[string, string | undefined, string, string]>([
    ["Flux's case: 0.* orders numerically", "0.*", "0.10.0", "0.10.0"],
    ["no version: the highest stable, v-tags not charts", undefined, "0.10.0", "0.10.0"],
    ["a range admitting prereleases", ">=1.0.0-0", "1.0.0-rc.1", "1.0.0-rc.1"],
    ["_ in a tag is + in the version", "~0.3.0", "0.3.0+b", "0.3.0_b"],
    ["a range below", "<0.3.0", "0.2.0", "0.2.0"],
  ])("%s: %j → %s", async (_name, version, want, tag) => {
    const registry = tagLister(tags);
    expect(await resolveOciChartVersion(registry, "oci://ghcr.io/acme/charts", "hello", version)).toEqual({
      name: "hello",
      version: want,
      reference: `ghcr.io/acme/charts/hello:${tag}`,
    });
    expect(registry.asked).toEqual(["ghcr.io/acme/charts/hello"]);
  });

  it("a concrete version skips the tag listing", async () => {
    const registry = tagLister([]);
    expect(
      await resolveOciChartVersion(registry, "oci://ghcr.io/acme/charts/", "hello", "2.0.0+build.1"),
    ).toEqual({
      name: "hello",
      version: "2.0.0+build.1",
      reference: "ghcr.io/acme/charts/hello:2.0.0_build.1",
    });
    expect(registry.asked).toEqual([]);
  });

  it("no matching tag names the range and the newest versions", async () => {
    await expect(
      resolveOciChartVersion(tagLister(tags), "oci://ghcr.io/acme/charts", "hello", ">=2.0.0"),
    ).rejects.toThrow(
      'no version of chart "hello" in oci://ghcr.io/acme/charts/hello matches ">=2.0.0" (the newest are 1.0.0-rc.1, 0.10.0, 0.3.0+b, 0.3.0+a, 0.2.0)',
    );
  });

  it("no chart tags at all", async () => {
    await expect(
      resolveOciChartVersion(tagLister(["latest", "v1.0.0"]), "oci://ghcr.io/acme/charts", "hello"),
    ).rejects.toMatchObject({
      reason: "chart-not-found",
      message: expect.stringContaining("has no tags that are chart versions"),
    });
  });

  it("a registry failure keeps its reason and advice", async () => {
    const registry: TagLister = {
      listTags: async () => {
        throw new RegistryError("ghcr.io refused: log in", "unauthorized", "ghcr.io/acme/charts/hello", 401);
      },
    };
    await expect(
      resolveOciChartVersion(registry, "oci://ghcr.io/acme/charts", "hello"),
    ).rejects.toMatchObject({
      reason: "unauthorized",
      status: 401,
      message:
        'cannot list the versions of chart "hello" in oci://ghcr.io/acme/charts: ghcr.io refused: log in',
    });
  });

  it.each([
    ["https://ghcr.io/acme/charts", "hello", /must start with oci:\/\//],
    ["oci://ghcr.io/acme/charts", "Hello", /does not make an OCI repository name/],
    ["oci://ghcr.io/acme/charts", "hello:1.0.0", /does not make an OCI repository name/],
  ])("refuses %s with chart %s", (url, chart, message) => {
    expect(() => chartImage(url, chart)).toThrow(
      expect.objectContaining({ name: "ChartSourceError", message: expect.stringMatching(message) }),
    );
  });
});

describe("resolveOciChartVersion with RegistryClient", () => {
  let registry: FakeRegistry | undefined;
  afterEach(async () => {
    await registry?.close();
  });

  it("lists tags with the registry's login", async () => {
    const login = { username: "ferry", password: "registry-pass" };
    registry = await startFakeRegistry({
      auth: "basic",
      repositories: { "acme/charts/hello": ["0.1.0", "0.2.0", "0.10.0", "1.0.0-rc.1"] },
      private: ["acme/charts/hello"],
      login,
    });
    const client = new RegistryClient({ timeoutMs: 5000, credentials: () => login });
    const chart = await resolveOciChartVersion(client, `oci://${registry.host}/acme/charts`, "hello", "0.*");
    expect(chart).toEqual({
      name: "hello",
      version: "0.10.0",
      reference: `${registry.host}/acme/charts/hello:0.10.0`,
    });
    expect(registry.count("tags")).toBeGreaterThan(0);

    const anonymous = new RegistryClient({ timeoutMs: 5000 });
    const error = await resolveOciChartVersion(
      anonymous,
      `oci://${registry.host}/acme/charts`,
      "hello",
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChartSourceError);
    expect(error).toMatchObject({ reason: "unauthorized" });
    expect((error as Error).message).not.toContain("registry-pass");
  });
});
