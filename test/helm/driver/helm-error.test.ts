import { describe, expect, it } from "vitest";
import { meaningfulStderr, redact, secretCandidates } from "../../../src/helm/driver/helm-error.js";
import { timeoutFlag, waitFlags } from "../../../src/helm/driver/helm-flags.js";
import { parseHelmVersion } from "../../../src/helm/driver/helm-version.js";
import { parseRelease, parseValuesDigest } from "../../../src/helm/driver/release-json.js";
import { valuesDigest } from "../../../src/helm/values-digest.js";

describe("meaningfulStderr", () => {
  it("keeps the Error line and what follows it, without Helm 4 log lines or the prefix", () => {
    const stderr = [
      'level=WARN msg="upgrade failed" name=hello error="x"',
      "Error: UPGRADE FAILED: resource Deployment/apps/hello not ready",
      "context deadline exceeded",
      "",
    ].join("\n");
    expect(meaningfulStderr(stderr)).toBe(
      "UPGRADE FAILED: resource Deployment/apps/hello not ready\ncontext deadline exceeded",
    );
  });

  it("drops Helm 3's warnings", () => {
    const stderr = "WARNING: Kubernetes configuration file is group-readable.\nError: release: not found\n";
    expect(meaningfulStderr(stderr)).toBe("release: not found");
  });

  it("falls back to the last lines when there is no Error line", () => {
    expect(meaningfulStderr("one\ntwo\nthree\nfour\nfive\nsix\n")).toBe("two\nthree\nfour\nfive\nsix");
  });

  it("shortens a very long message", () => {
    const text = meaningfulStderr(`Error: ${"x".repeat(5000)}`);
    expect(text.length).toBe(2001);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("redaction", () => {
  it("finds string leaves in maps and lists, long ones first, skipping very short strings", () => {
    expect(secretCandidates({ a: "abc", b: { c: ["token-1", "token-123"] }, d: 12345, e: true })).toEqual([
      "token-123",
      "token-1",
    ]);
  });

  it("replaces each occurrence, the longer value first", () => {
    expect(redact("token-123 then token-1", ["token-123", "token-1"])).toBe("[redacted] then [redacted]");
  });
});

describe("parseHelmVersion", () => {
  it.each([
    ["v4.1.4", 4],
    ["v3.19.0+g3d8990f", 3],
    ["v3.12.3\n", 3],
  ])("reads %j as major %i", (output, major) => {
    expect(parseHelmVersion(output)).toEqual({ major, version: output.trim() });
  });

  it("rejects other versions and other output", () => {
    expect(() => parseHelmVersion("v2.17.0")).toThrow(/not supported/);
    expect(() => parseHelmVersion("Error: unknown flag")).toThrow(/could not read a helm version/);
  });
});

describe("helm flags", () => {
  it("waits the Helm 3 or Helm 4 way", () => {
    expect(waitFlags(3, true)).toEqual(["--wait"]);
    expect(waitFlags(4, true)).toEqual(["--wait=watcher"]);
    expect(waitFlags(4, false)).toEqual([]);
  });

  it("writes timeouts as Go durations and refuses nonsense", () => {
    expect(timeoutFlag(300_000)).toEqual(["--timeout", "300s"]);
    expect(timeoutFlag(2_500)).toEqual(["--timeout", "2500ms"]);
    expect(() => timeoutFlag(0)).toThrow(/positive/);
  });
});

describe("release JSON", () => {
  it("digests a release given no values like empty values", () => {
    const release = parseRelease(
      JSON.stringify({ name: "r", namespace: "n", version: 2, info: { status: "deployed" } }),
      "helm status r",
    );
    expect(release).toMatchObject({ revision: 2, status: "deployed", valuesDigest: valuesDigest({}) });
    expect(release.chart).toBeUndefined();
    expect(parseValuesDigest("null", "helm get values r")).toBe(valuesDigest({}));
  });

  it("names the missing fields, never the values", () => {
    const json = JSON.stringify({ name: "r", namespace: "n", version: "s3cr3t", info: { status: 1 } });
    expect(() => parseRelease(json, "helm status r")).toThrow(
      "helm status r printed JSON without the expected fields: version, info.status",
    );
    expect(() => parseRelease(json, "helm status r")).not.toThrow(/s3cr3t/);
  });
});
