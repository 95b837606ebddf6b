import { describe, expect, it } from "vitest";
import { parseManifest, sha256Digest } from "../../../src/images/registry/index.js";

const digest = `sha256:${"a".repeat(64)}`;
const layer = { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest, size: 10 };
const config = { mediaType: "application/vnd.cncf.helm.config.v1+json", digest, size: 2 };
const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("parseManifest", () => {
  it("reads an OCI manifest, its digest the sha256 of its bytes", () => {
    const bytes = body({ schemaVersion: 2, config, layers: [layer], annotations: { a: "b" } });
    expect(parseManifest(bytes, "application/vnd.oci.image.manifest.v1+json; charset=utf-8")).toEqual({
      digest: sha256Digest(bytes),
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config,
      layers: [layer],
      annotations: { a: "b" },
    });
  });

  it.each<[string, Buffer, string | undefined, string]>([
    ["not JSON", Buffer.from("<html>"), "text/html", "it is not JSON"],
    [
      "an OCI index",
      body({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }),
      undefined,
      "it is an image index (a multi-platform image), not a single artifact",
    ],
    [
      "a Docker manifest list by its content type",
      body({ schemaVersion: 2, manifests: [] }),
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "it is an image index (a multi-platform image), not a single artifact",
    ],
    [
      "a layer digest that is not sha256",
      body({ schemaVersion: 2, config, layers: [{ ...layer, digest: "md5:abc" }] }),
      undefined,
      "it is not an image manifest (layers.0.digest: is not a sha256 digest (sha256:<64 hex digits>))",
    ],
    [
      "schema version 1",
      body({ schemaVersion: 1, config, layers: [] }),
      undefined,
      "it is not an image manifest (schemaVersion: Invalid input: expected 2)",
    ],
  ])("refuses %s", (_name, bytes, contentType, reason) => {
    expect(parseManifest(bytes, contentType)).toBe(reason);
  });
});
