import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ObjectIdentifier, type SetterChange, updateText } from "../../../src/images/setters/index.js";
import { DIGEST, FIXTURES, fixture, fluxPolicies, policies } from "./support.js";

type Change = Omit<SetterChange, "file">;

const object = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectIdentifier => ({
  apiVersion,
  kind,
  name,
  ...(namespace ? { namespace } : {}),
});

const web = object("apps/v1", "Deployment", "web", "apps");
const kustomization = object("kustomize.config.k8s.io/v1beta1", "Kustomization", "");
const change = (line: number, oldValue: string, newValue: string, setter: string, on?: ObjectIdentifier) => ({
  line,
  oldValue,
  newValue,
  setter,
  ...(on ? { object: on } : {}),
});

/**
 * Each case is `text/<case>/before/<file>`; the text must become `text/<case>/after/<file>` byte for
 * byte, or stay as it was when there is no `after`.
 */
const cases: Array<{ name: string; file: string; changes: Change[] }> = [
  {
    name: "deployment",
    file: "deployment.yaml",
    changes: [change(14, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web", web)],
  },
  {
    name: "helmrelease",
    file: "podinfo.yaml",
    changes: [
      change(17, "ghcr.io/stefanprodan/podinfo", "registry.acme.io/mirror/podinfo", "apps:podinfo:name"),
      change(18, "6.5.3", "6.5.4", "apps:podinfo:tag"),
    ].map((c) => ({ ...c, object: object("helm.toolkit.fluxcd.io/v2", "HelmRelease", "podinfo", "apps") })),
  },
  {
    name: "kustomization",
    file: "kustomization.yaml",
    changes: [
      change(9, "1.4.0", "1.5.0", "apps:web:tag", kustomization),
      change(12, "1.9", "1.10", "apps:worker:tag", kustomization),
    ],
  },
  {
    name: "kustomization-file",
    file: "Kustomization",
    changes: [
      change(7, "sidecar", "ghcr.io/acme/sidecar", "apps:sidecar:name", kustomization),
      change(8, "1.4.0", "1.5.0", "apps:web:tag", kustomization),
    ],
  },
  {
    name: "digest",
    file: "cronjob.yaml",
    changes: [
      change(8, `sha256:${"0".repeat(64)}`, DIGEST, "jobs:report:digest"),
      change(9, `sha256:${"1".repeat(64)}`, "", "apps:web:digest"),
      change(18, "ghcr.io/acme/report:3.1.0", `ghcr.io/acme/report:3.2.0@${DIGEST}`, "jobs:report"),
      change(21, "3.1.0", "3.2.0", "jobs:report:tag"),
    ].map((c) => ({ ...c, object: object("batch/v1", "CronJob", "report", "jobs") })),
  },
  {
    name: "quoted",
    file: "quoted.yaml",
    changes: [
      change(11, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web"),
      change(13, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web"),
      change(15, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web"),
      change(17, "1.9", "1.10", "apps:worker:tag"),
      change(18, "1.9", "1.10", "apps:worker:tag"),
    ].map((c) => ({ ...c, object: object("apps/v1", "Deployment", "quoted", "apps") })),
  },
  {
    name: "documents",
    file: "web.yaml",
    changes: [change(18, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web", web)],
  },
  { name: "other-policies", file: "otherns.yaml", changes: [] },
  { name: "not-markers", file: "configmap.yaml", changes: [] },
  {
    name: "crlf",
    file: "deployment.yaml",
    changes: [change(11, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web", web)],
  },
  {
    name: "no-newline",
    file: "deployment.yaml",
    changes: [change(11, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web", web)],
  },
  {
    name: "flow",
    file: "flow.yaml",
    changes: [
      change(11, "sidecar", "ghcr.io/acme/sidecar", "apps:sidecar:name"),
      change(15, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web"),
      change(16, "1.4.0", "1.5.0", "apps:web:tag"),
    ].map((c) => ({ ...c, object: object("apps/v1", "Deployment", "flow", "apps") })),
  },
  {
    name: "sequence",
    file: "images.yaml",
    changes: [
      change(8, "ghcr.io/acme/web:1.4.0", "ghcr.io/acme/web:1.5.0", "apps:web"),
      change(10, "ghcr.io/acme/sidecar:1.0.0", "ghcr.io/acme/sidecar:2.0.0", "apps:sidecar"),
      change(12, "ghcr.io/acme/worker:1.9", "ghcr.io/acme/worker:1.10", "apps:worker"),
      change(13, "1.4.0", "1.5.0", "apps:web:tag"),
      change(16, "web", "ghcr.io/acme/web", "apps:web:name"),
    ].map((c) => ({ ...c, object: object("v1", "ConfigMap", "images", "apps") })),
  },
  { name: "up-to-date", file: "deployment.yaml", changes: [] },
  { name: "values", file: "values.yaml", changes: [change(4, "1.4.0", "1.5.0", "apps:web:tag")] },
];

describe("updateText", () => {
  it("has a case for each fixture", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(
      readdirSync(join(FIXTURES, "text"))
        .filter((name) => name !== "broken")
        .sort(),
    );
  });

  it.each(cases)("$name", ({ name, file, changes }) => {
    const before = fixture("text", name, "before", file);
    const after = existsSync(join(FIXTURES, "text", name, "after"))
      ? fixture("text", name, "after", file)
      : before;
    expect(after === before).toBe(changes.length === 0);

    const result = updateText(`apps/${file}`, before, policies);

    expect(result.text).toBe(after);
    expect(result.changes).toEqual(changes.map((c) => ({ file: `apps/${file}`, ...c })));
    expect(result.problem).toBeUndefined();
  });

  it("keeps CRLF line endings, and the fixture really has them", () => {
    const before = fixture("text", "crlf", "before", "deployment.yaml");
    expect(before.split("\n").every((line, i, all) => i === all.length - 1 || line.endsWith("\r"))).toBe(
      true,
    );
    expect(updateText("d.yaml", before, policies).text.match(/\r\n/g)).toHaveLength(11);
  });

  it("keeps the missing final newline, and the fixture really lacks one", () => {
    const before = fixture("text", "no-newline", "before", "deployment.yaml");
    expect(before.endsWith('"apps:web"}')).toBe(true);
    expect(updateText("d.yaml", before, policies).text.endsWith('"apps:web"}')).toBe(true);
  });

  it("leaves a file that is not YAML as it is, and says where it broke", () => {
    const before = fixture("text", "broken", "before", "broken.yaml");
    const result = updateText("apps/broken.yaml", before, policies);
    expect(result).toEqual({
      text: before,
      changes: [],
      problem: {
        message: expect.stringMatching(/^not valid YAML, so its image policy markers were not applied: /),
        origin: { file: "apps/broken.yaml", line: 7 },
      },
    });
  });

  it("does not parse a text without the marker token", () => {
    const text = "image: web:1 # {'$imagepolicy': 'apps:web'}\n: : not yaml [\n";
    expect(updateText("x.yaml", text, policies)).toEqual({ text, changes: [] });
  });

  it("keeps a byte order mark", () => {
    const text = '\uFEFFimage: web:1 # {"$imagepolicy": "apps:web"}\n';
    expect(updateText("x.yaml", text, policies).text).toBe(
      '\uFEFFimage: ghcr.io/acme/web:1.5.0 # {"$imagepolicy": "apps:web"}\n',
    );
  });

  it("keeps anchors and tags in front of the value", () => {
    const text = 'a: &img !!str web:1 # {"$imagepolicy": "apps:web"}\nb: *img\n';
    expect(updateText("x.yaml", text, policies).text).toBe(
      'a: &img !!str ghcr.io/acme/web:1.5.0 # {"$imagepolicy": "apps:web"}\nb: *img\n',
    );
  });

  it("replaces the whole value whatever the suffix", () => {
    const text = 'image: ghcr.io/acme/web:1.4.0 # {"$imagepolicy": "apps:web:tag"}\n';
    expect(updateText("x.yaml", text, policies).text).toBe(
      'image: 1.5.0 # {"$imagepolicy": "apps:web:tag"}\n',
    );
  });

  it("replaces a multi-line plain value whole", () => {
    const text = 'image: ghcr.io/acme/web:1.4.0\n  extra # {"$imagepolicy": "apps:web"}\nnext: x\n';
    const result = updateText("x.yaml", text, policies);
    expect(result.text).toBe('image: ghcr.io/acme/web:1.5.0 # {"$imagepolicy": "apps:web"}\nnext: x\n');
    expect(result.changes).toEqual(
      [change(1, "ghcr.io/acme/web:1.4.0 extra", "ghcr.io/acme/web:1.5.0", "apps:web")].map((c) => ({
        file: "x.yaml",
        ...c,
      })),
    );
  });
});

describe("updateText on Flux's own fixtures", () => {
  const kustomize = object("kustomize.config.k8s.io/v1beta1", "Kustomization", "");
  // The result TestUpdateWithSetters expects, with the lines of each change.
  const expected: Record<string, Change[]> = {
    Kustomization: [
      change(8, "replaced", "index.repo.fake/updated", "automation-ns:policy:name", kustomize),
      change(9, "v1", "v1.0.1", "automation-ns:policy:tag", kustomize),
    ],
    "kustomization.yml": [
      change(8, "replaced", "index.repo.fake/updated", "automation-ns:policy:name", kustomize),
      change(9, "v1", "v1.0.1", "automation-ns:policy:tag", kustomize),
      change(10, "sha256:1234567890abcdef", DIGEST, "automation-ns:policy-with-digest:digest", kustomize),
      change(28, "image", `image:v1.0.0@${DIGEST}`, "automation-ns:policy-with-digest", kustomize),
    ],
    "marked.yaml": [
      change(
        14,
        "image:v1.0.0",
        "index.repo.fake/updated:v1.0.1",
        "automation-ns:policy",
        object("batch/v1beta1", "CronJob", "foo", "bar"),
      ),
    ],
    "otherns.yaml": [],
    "test.yaml": [],
    "unmarked.yaml": [],
  };

  it.each(Object.keys(expected))("%s", (file) => {
    const before = fixture("flux", "original", file);
    const result = updateText(file, before, fluxPolicies);
    const after = expected[file].length > 0 ? fixture("flux", "expected", file) : before;
    expect(result.text).toBe(after);
    expect(result.changes).toEqual(expected[file].map((c) => ({ file, ...c })));
  });
});
