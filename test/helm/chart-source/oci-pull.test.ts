/**
 * Pulling charts from an OCI registry (the fake registry over real HTTP, token challenge, blobs
 * behind a redirect) with charts packaged by the real `helm package`: OciChartClient's pull and
 * cache, and an OCIRepository's reference, layer selection, revision and digest-carrying version.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HELM_CHART_LAYERS,
  OciChartClient,
  pullOciRepositoryChart,
  secretLogins,
} from "../../../src/helm/chart-source/index.js";
import { type OCIRepository, readHelmObject } from "../../../src/helm/release.js";
import { parseImageReference } from "../../../src/images/registry/index.js";
import { type FakeRegistry, startFakeRegistry } from "../../support/fake-registry.js";
import { HELM_CHART_LAYER, helmPackage, pushChart } from "../../support/oci-charts.js";

const LOGIN = { username: "robot", password: "s3cret-registry-password" };

let registry: FakeRegistry;
let dir: string;
const digests: Record<string, string> = {};

beforeAll(async () => {
  registry = await startFakeRegistry({
    auth: "bearer",
    repositories: {},
    private: ["private/hello"],
    login: LOGIN,
  });
  dir = await mkdtemp(join(tmpdir(), "ferry-oci-pull-"));
  for (const version of ["0.1.0", "0.2.0", "0.3.0-rc.1", "1.0.0"]) {
    digests[version] = pushChart(registry, "charts/hello", version, await helmPackage(version));
  }
  digests["0.2.1+build.7"] = pushChart(
    registry,
    "charts/hello",
    "0.2.1+build.7",
    await helmPackage("0.2.1+build.7"),
  );
  digests.latest = registry.push("charts/hello", "latest", {
    config: { mediaType: "application/vnd.cncf.helm.config.v1+json", data: Buffer.from("{}") },
    layers: [{ mediaType: HELM_CHART_LAYER, data: await helmPackage("0.1.0") }],
  });
  pushChart(registry, "private/hello", "0.1.0", await helmPackage("0.1.0"));
  // A tag that does not hold the version it names, and an artifact that is not a chart.
  pushChart(registry, "charts/hello", "9.9.9", await helmPackage("0.1.0"));
  registry.push("charts/notes", "1.0.0", {
    config: { mediaType: "application/vnd.oci.image.config.v1+json", data: Buffer.from("{}") },
    layers: [{ mediaType: "text/plain", data: Buffer.from("not a chart") }],
  });
}, 60_000);
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

const client = (cache = "cache") => new OciChartClient({ cacheDir: join(dir, cache) });
const ref = (text: string) => parseImageReference(`${registry.host}/${text}`);

function ociRepository(spec: Record<string, unknown>): OCIRepository {
  return readHelmObject({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: "hello", namespace: "flux-system" },
    spec: { interval: "5m", url: `oci://${registry.host}/charts/hello`, ...spec },
  }) as OCIRepository;
}

describe("OciChartClient.pull", () => {
  it("pulls the chart layer by tag, checks it, and takes it from the cache the next time", async () => {
    const charts = client("pull-cache");
    const blobsBefore = registry.count("blobs");
    const pulled = await charts.pull(ref("charts/hello:0.2.0"), {}, HELM_CHART_LAYERS);
    expect(pulled).toMatchObject({ name: "hello", version: "0.2.0", manifestDigest: digests["0.2.0"] });
    expect(pulled.archive).toBe(join(dir, "pull-cache", `${pulled.layerDigest.slice(7)}.tgz`));
    expect(registry.count("blobs")).toBe(blobsBefore + 1);

    const again = await charts.pull(ref("charts/hello:0.2.0"), {}, HELM_CHART_LAYERS);
    expect(again.archive).toBe(pulled.archive);
    // The manifest is asked again (a tag can move); the blob is not.
    expect(registry.count("blobs")).toBe(blobsBefore + 1);
  });

  it("logs in with the source's login where the registry wants one, and says whose login to give", async () => {
    const logins = {
      lookup: secretLogins(LOGIN, "Secret flux-system/ghcr"),
      source: "Secret flux-system/ghcr",
    };
    const pulled = await client().pull(ref("private/hello:0.1.0"), { logins }, HELM_CHART_LAYERS);
    expect(pulled.version).toBe("0.1.0");

    const anonymous = await client()
      .pull(ref("private/hello:0.1.0"), {}, HELM_CHART_LAYERS)
      .catch((error: Error) => error);
    expect(anonymous).toMatchObject({ reason: "unauthorized" });
    expect((anonymous as Error).message).toBe(
      `pulling ${registry.host}/private/hello:0.1.0 refused (HTTP 401: UNAUTHORIZED: authentication required) — give Ferry credentials for ${registry.host} in the operator file (registries)`,
    );

    const wrong = secretLogins({ username: "robot", password: "wrong-password" }, "Secret flux-system/ghcr");
    const refused = await client()
      .pull(
        ref("private/hello:0.1.0"),
        { logins: { lookup: wrong, source: "Secret flux-system/ghcr" } },
        HELM_CHART_LAYERS,
      )
      .catch((error: Error) => error);
    expect((refused as Error).message).toContain("check that they are current in Secret flux-system/ghcr");
    expect((refused as Error).message).not.toContain("wrong-password");
  });

  it("says which tag is missing", async () => {
    await expect(client().pull(ref("charts/hello:7.0.0"), {}, HELM_CHART_LAYERS)).rejects.toMatchObject({
      reason: "not-found",
      message: `pulling ${registry.host}/charts/hello:7.0.0 failed: ${registry.host} has no tag 7.0.0 in charts/hello (HTTP 404: MANIFEST_UNKNOWN: manifest unknown) — check the reference, and that the artifact was pushed`,
    });
  });

  it("refuses an artifact without a chart layer, and one that is not a chart", async () => {
    await expect(client().pull(ref("charts/notes:1.0.0"), {}, HELM_CHART_LAYERS)).rejects.toMatchObject({
      reason: "no-chart-layer",
      message: expect.stringContaining(
        `${registry.host}/charts/notes:1.0.0 has no layer of type application/vnd.cncf.helm.chart.content.v1.tar+gzip or application/tar+gzip (its layers are text/plain)`,
      ),
    });
    await expect(client().pull(ref("charts/notes:1.0.0"), {}, [])).rejects.toMatchObject({
      reason: "bad-chart",
      message: expect.stringContaining("is not a Helm chart archive: it is not gzip-compressed"),
    });
  });

  it("refuses a layer whose content is not its digest, and keeps nothing of it", async () => {
    const archive = await helmPackage("5.0.0");
    pushChart(registry, "charts/damaged", "5.0.0", archive);
    const layer = [...registry.blobs.entries()].find(([, data]) => data === archive)?.[0] as string;
    registry.blobs.set(layer, await helmPackage("5.0.0", "tampered"));
    await expect(
      client("damaged").pull(ref("charts/damaged:5.0.0"), {}, HELM_CHART_LAYERS),
    ).rejects.toMatchObject({
      reason: "digest-mismatch",
      message: expect.stringContaining(
        `pulling blob ${layer} of ${registry.host}/charts/damaged failed: the content`,
      ),
    });
    expect(await readdir(join(dir, "damaged")).catch(() => [])).toEqual([]);
  });
});

describe("pullOciRepositoryChart", () => {
  const hex12 = (digest: string | undefined) => digest?.slice(7, 19);

  it.each<[string, Record<string, unknown>, string, string]>([
    ["a tag", { ref: { tag: "0.1.0" } }, "0.1.0", "0.1.0"],
    ["no ref: latest", {}, "latest", "0.1.0"],
    ["the highest tag in a semver range", { ref: { semver: "0.x" } }, "0.2.0", "0.2.0"],
    [
      "semver with a filter",
      { ref: { semver: ">=0.0.0-0", semverFilter: "-rc" } },
      "0.3.0-rc.1",
      "0.3.0-rc.1",
    ],
    [
      "Helm's _ for + when the layer selector names Helm's chart layer",
      { ref: { semver: "~0.2.1" }, layerSelector: { mediaType: HELM_CHART_LAYER, operation: "copy" } },
      "0.2.1_build.7",
      "0.2.1",
    ],
  ])("%s", async (_name, spec, tag, chartVersion) => {
    const key = tag === "latest" ? "latest" : tag.replace("_", "+");
    const chart = await pullOciRepositoryChart(client(), ociRepository(spec), {});
    expect(chart).toMatchObject({
      name: "hello",
      version: `${chartVersion}+${hex12(digests[key])}`,
      revision: `${tag}@${digests[key]}`,
    });
    // helm is given a folder whose Chart.yaml carries the version the release will record.
    expect(await readFile(join(chart.path, "Chart.yaml"), "utf8")).toContain(`version: ${chart.version}\n`);
  });

  it("pulls by digest before anything else, the revision the digest alone", async () => {
    const chart = await pullOciRepositoryChart(
      client(),
      ociRepository({ ref: { digest: digests["1.0.0"], semver: "0.x", tag: "0.1.0" } }),
      {},
    );
    expect(chart).toMatchObject({ version: `1.0.0+${hex12(digests["1.0.0"])}`, revision: digests["1.0.0"] });
  });

  it("refuses a tag that is not the chart's version, a range nothing matches, and a tag in the URL", async () => {
    await expect(
      pullOciRepositoryChart(client(), ociRepository({ ref: { tag: "9.9.9" } }), {}),
    ).rejects.toThrow(
      "the artifact tagged 9.9.9 holds chart version 0.1.0; push the chart under its own version",
    );
    await expect(
      pullOciRepositoryChart(client(), ociRepository({ ref: { semver: ">=2.0.0 <9.0.0" } }), {}),
    ).rejects.toThrow(
      `no tag of ${registry.host}/charts/hello matches semver ">=2.0.0 <9.0.0" (the newest are 9.9.9, 1.0.0, 0.3.0-rc.1, 0.2.0, 0.1.0)`,
    );
    await expect(
      pullOciRepositoryChart(
        client(),
        ociRepository({ url: `oci://${registry.host}/charts/hello:0.1.0` }),
        {},
      ),
    ).rejects.toThrow("must not hold a tag or digest; set it in spec.ref instead");
  });
});

describe("secretLogins", () => {
  const auth = Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString("base64");

  it("reads a docker config's entry for the registry, or username and password", async () => {
    const docker = secretLogins(
      { ".dockerconfigjson": JSON.stringify({ auths: { "ghcr.io": { auth } } }) },
      "Secret a/b",
    );
    expect(await docker("ghcr.io")).toEqual(LOGIN);
    await expect(docker("quay.io")).rejects.toThrow(
      "Secret a/b has no login for quay.io in .dockerconfigjson",
    );
    expect(await secretLogins(LOGIN, "Secret a/b")("anything.example")).toEqual(LOGIN);
  });

  it("refuses a Secret without a login, never quoting it", () => {
    expect(() => secretLogins({ token: LOGIN.password }, "Secret a/b")).toThrow(
      "Secret a/b has neither .dockerconfigjson nor username and password keys; give it a registry login",
    );
    expect(() => secretLogins({ ".dockerconfigjson": `{${LOGIN.password}` }, "Secret a/b")).toThrow(
      /^Secret a\/b \(\.dockerconfigjson\) is not valid JSON$/,
    );
  });
});
