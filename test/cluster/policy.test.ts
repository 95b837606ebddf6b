/**
 * Flux's per-object policy labels and annotations (matched case-insensitively on either, as
 * fluxcd/pkg ssa `AnyInMetadata`), and Ferry's owner labels.
 */
import { describe, expect, it } from "vitest";
import {
  applyExcluded,
  FORCE_KEY,
  forceEnabled,
  OWNER_NAME_LABEL,
  OWNER_NAMESPACE_LABEL,
  ownedBy,
  PRUNE_KEY,
  pruneExcluded,
  RECONCILE_KEY,
  SSA_KEY,
  type SsaMode,
  ssaMode,
  withOwnerLabels,
} from "../../src/cluster/policy.js";
import type { KubeObject } from "../../src/model/object.js";

interface Meta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const configMap = ({ labels, annotations }: Meta = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "settings",
    namespace: "apps",
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  },
  data: { color: "blue" },
});

const annotated = (key: string, value: string) => configMap({ annotations: { [key]: value } });
const labelled = (key: string, value: string) => configMap({ labels: { [key]: value } });

describe("ssaMode", () => {
  it.each<[string, SsaMode, KubeObject]>([
    ["no policy", "Override", configMap()],
    ["annotation Merge", "Merge", annotated(SSA_KEY, "Merge")],
    ["annotation merge (lower case)", "Merge", annotated(SSA_KEY, "merge")],
    ["annotation IfNotPresent", "IfNotPresent", annotated(SSA_KEY, "IfNotPresent")],
    ["annotation IFNOTPRESENT", "IfNotPresent", annotated(SSA_KEY, "IFNOTPRESENT")],
    ["annotation Ignore", "Ignore", annotated(SSA_KEY, "Ignore")],
    ["annotation Override", "Override", annotated(SSA_KEY, "Override")],
    ["label ignore", "Ignore", labelled(SSA_KEY, "ignore")],
    ["label IfNotPresent", "IfNotPresent", labelled(SSA_KEY, "IfNotPresent")],
    ["an unknown value", "Override", annotated(SSA_KEY, "sometimes")],
    ["another key with the value", "Override", annotated("example.com/ssa", "Ignore")],
  ])("%s → %s", (_, mode, object) => {
    expect(ssaMode(object)).toBe(mode);
  });
});

describe("applyExcluded", () => {
  it.each<[string, string | undefined, KubeObject]>([
    ["no policy", undefined, configMap()],
    ["reconcile: disabled", `${RECONCILE_KEY}: disabled`, annotated(RECONCILE_KEY, "disabled")],
    ["reconcile: Disabled", `${RECONCILE_KEY}: disabled`, annotated(RECONCILE_KEY, "Disabled")],
    ["reconcile: disabled as a label", `${RECONCILE_KEY}: disabled`, labelled(RECONCILE_KEY, "disabled")],
    ["reconcile: enabled", undefined, annotated(RECONCILE_KEY, "enabled")],
    ["ssa: Ignore", `${SSA_KEY}: Ignore`, annotated(SSA_KEY, "Ignore")],
    ["ssa: ignore as a label", `${SSA_KEY}: Ignore`, labelled(SSA_KEY, "ignore")],
    ["ssa: IfNotPresent", undefined, annotated(SSA_KEY, "IfNotPresent")],
    ["prune: disabled (only prune cares)", undefined, annotated(PRUNE_KEY, "disabled")],
    [
      "reconcile: disabled as a label while an annotation of the same key says enabled",
      `${RECONCILE_KEY}: disabled`,
      configMap({ labels: { [RECONCILE_KEY]: "disabled" }, annotations: { [RECONCILE_KEY]: "enabled" } }),
    ],
    [
      "ssa: Ignore as a label while an annotation of the same key is empty",
      `${SSA_KEY}: Ignore`,
      configMap({ labels: { [SSA_KEY]: "Ignore" }, annotations: { [SSA_KEY]: "" } }),
    ],
  ])("%s → %s", (_, reason, object) => {
    expect(applyExcluded(object)).toBe(reason);
  });
});

describe("pruneExcluded", () => {
  it.each<[string, string | undefined, KubeObject]>([
    ["no policy", undefined, configMap()],
    ["prune: disabled", `${PRUNE_KEY}: disabled`, annotated(PRUNE_KEY, "disabled")],
    ["prune: DISABLED as a label", `${PRUNE_KEY}: disabled`, labelled(PRUNE_KEY, "DISABLED")],
    ["prune: enabled", undefined, annotated(PRUNE_KEY, "enabled")],
    ["reconcile: disabled", `${RECONCILE_KEY}: disabled`, annotated(RECONCILE_KEY, "disabled")],
    ["ssa: Ignore", `${SSA_KEY}: Ignore`, annotated(SSA_KEY, "Ignore")],
    ["ssa: IfNotPresent (still pruned)", undefined, annotated(SSA_KEY, "IfNotPresent")],
  ])("%s → %s", (_, reason, object) => {
    expect(pruneExcluded(object)).toBe(reason);
  });
});

describe("forceEnabled", () => {
  it.each<[string, boolean, KubeObject]>([
    ["no policy", false, configMap()],
    ["force: enabled", true, annotated(FORCE_KEY, "enabled")],
    ["force: Enabled as a label", true, labelled(FORCE_KEY, "Enabled")],
    ["force: disabled", false, annotated(FORCE_KEY, "disabled")],
    ["force: true (not Flux's value)", false, annotated(FORCE_KEY, "true")],
  ])("%s → %s", (_, enabled, object) => {
    expect(forceEnabled(object)).toBe(enabled);
  });
});

describe("owner labels", () => {
  const owner = { name: "apps", namespace: "flux-system" };

  it("adds ferry.dev/name and ferry.dev/namespace, keeping the object's labels and leaving it unchanged", () => {
    const original = configMap({ labels: { app: "web" }, annotations: { note: "x" } });
    const snapshot = structuredClone(original);
    const labelledObject = withOwnerLabels(original, owner);
    expect(labelledObject.metadata.labels).toEqual({
      app: "web",
      [OWNER_NAME_LABEL]: "apps",
      [OWNER_NAMESPACE_LABEL]: "flux-system",
    });
    expect(labelledObject.metadata.annotations).toEqual({ note: "x" });
    expect(labelledObject.data).toEqual({ color: "blue" });
    expect(original).toEqual(snapshot);
    expect(OWNER_NAME_LABEL).toBe("ferry.dev/name");
    expect(OWNER_NAMESPACE_LABEL).toBe("ferry.dev/namespace");
  });

  it("adds the labels to an object that has none", () => {
    expect(withOwnerLabels(configMap(), owner).metadata.labels).toEqual({
      "ferry.dev/name": "apps",
      "ferry.dev/namespace": "flux-system",
    });
  });

  it("overrides owner labels written in Git with the unit's own", () => {
    const claimed = configMap({ labels: { "ferry.dev/name": "other", "ferry.dev/namespace": "elsewhere" } });
    expect(ownedBy(withOwnerLabels(claimed, owner), owner)).toBe(true);
  });

  it.each<[string, boolean, Record<string, string> | undefined]>([
    ["both labels match", true, { "ferry.dev/name": "apps", "ferry.dev/namespace": "flux-system" }],
    ["the name differs", false, { "ferry.dev/name": "infra", "ferry.dev/namespace": "flux-system" }],
    ["the namespace differs", false, { "ferry.dev/name": "apps", "ferry.dev/namespace": "team-a" }],
    ["only the name label", false, { "ferry.dev/name": "apps" }],
    ["no labels", false, undefined],
  ])("ownedBy when %s → %s", (_, owned, labels) => {
    expect(ownedBy(configMap(labels ? { labels } : {}), owner)).toBe(owned);
  });
});
