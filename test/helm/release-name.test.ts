/** Flux's release naming; the shortening rows are helm-controller's TestShortName. */
import { describe, expect, it } from "vitest";
import {
  type ReleaseIdentity,
  releaseName,
  releaseNamespace,
  shortenReleaseName,
  storageNamespace,
} from "../../src/helm/release-name.js";

describe("shortenReleaseName", () => {
  it.each([
    ["release-name", "release-name"],
    [
      "release-name-with-very-long-name-which-is-longer-than-53-characters",
      "release-name-with-very-long-name-which-i-788ca0d0d7b0",
    ],
    [
      "another-release-name-with-very-long-name-which-is-longer-than-53-characters",
      "another-release-name-with-very-long-name-7e72150d5a36",
    ],
    ["", ""],
    ["a".repeat(53), "a".repeat(53)],
  ])("%s", (name, want) => {
    const got = shortenReleaseName(name);
    expect(got).toBe(want);
    expect(got.length).toBeLessThanOrEqual(53);
  });

  it("shortens at 54 characters to 40 + '-' + 12 hex digits", () => {
    expect(shortenReleaseName("a".repeat(54))).toMatch(/^a{40}-[0-9a-f]{12}$/);
  });
});

describe("release identity", () => {
  const base: ReleaseIdentity = { name: "podinfo", namespace: "flux-system" };
  it.each<[string, ReleaseIdentity, string, string, string]>([
    ["defaults", base, "podinfo", "flux-system", "flux-system"],
    [
      "target namespace prefixes the name",
      { ...base, targetNamespace: "apps" },
      "apps-podinfo",
      "apps",
      "flux-system",
    ],
    [
      "releaseName wins",
      { ...base, targetNamespace: "apps", releaseName: "web" },
      "web",
      "apps",
      "flux-system",
    ],
    ["storage namespace", { ...base, storageNamespace: "helm" }, "podinfo", "flux-system", "helm"],
    [
      "empty strings are unset",
      { ...base, releaseName: "", targetNamespace: "", storageNamespace: "" },
      "podinfo",
      "flux-system",
      "flux-system",
    ],
    [
      "a long composed name is shortened",
      {
        ...base,
        name: "release-name-with-very-long-name-which-is-longer-than-53-characters",
        targetNamespace: "x",
      },
      shortenReleaseName("x-release-name-with-very-long-name-which-is-longer-than-53-characters"),
      "x",
      "flux-system",
    ],
  ])("%s", (_name, release, name, target, storage) => {
    expect(releaseName(release)).toBe(name);
    expect(releaseNamespace(release)).toBe(target);
    expect(storageNamespace(release)).toBe(storage);
  });
});
