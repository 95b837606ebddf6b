import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError } from "../../src/build/errors.js";
import { Workspace } from "../../src/build/workspace.js";
import type { Manifest } from "../../src/model/object.js";
import { root } from "../support/build.js";

const fixtures = join(root, "test", "fixtures", "build");
const names = (manifests: Manifest[]) => manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`);

/** The BuildError a promise rejects with (fails the test when it resolves or rejects otherwise). */
async function buildError(promise: Promise<unknown>): Promise<BuildError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BuildError);
  return error as BuildError;
}

let workspace: Workspace;
beforeAll(async () => {
  workspace = await Workspace.create(fixtures);
});
afterAll(async () => {
  await workspace.dispose();
});

describe("generated kustomization", () => {
  it("takes every Kubernetes YAML file below the path, in lexical order, descending into plain folders", async () => {
    const manifests = await workspace.build("./plain");
    expect(names(manifests).sort()).toEqual(
      ["ConfigMap/settings", "Deployment/web", "Service/web", "ServiceAccount/listed"].sort(),
    );
  });

  it("makes a subfolder with its own kustomization a resource and does not descend into it", async () => {
    const manifests = await workspace.build("plain");
    expect(names(manifests)).toContain("ServiceAccount/listed");
    expect(names(manifests)).not.toContain("ServiceAccount/unlisted");
  });

  it("ignores non-YAML files and what source-controller leaves out (.sops.yaml, .github/)", async () => {
    // plain/ holds README.md, notes.txt, .sops.yaml and .github/ci.yaml, none of them Kubernetes YAML.
    await expect(workspace.build("plain")).resolves.toHaveLength(4);
  });

  it("fails on a YAML file that is not Kubernetes YAML, naming the file and the document's line", async () => {
    const error = await buildError(workspace.build("not-k8s"));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].origin).toEqual({ file: "not-k8s/charts/values.yaml", line: 6 });
    expect(error.message).toMatch(
      /^not-k8s\/charts\/values\.yaml:6: not Kubernetes YAML \(the document has no apiVersion or kind\)/,
    );
  });

  it("builds an empty folder to no objects (Flux's _placeholder namespace)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferry-empty-"));
    try {
      await mkdir(join(dir, "empty"));
      const ws = await Workspace.create(dir);
      try {
        await expect(ws.build("empty")).resolves.toEqual([]);
      } finally {
        await ws.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves no generated file behind in the copy, and never touches the repository", async () => {
    await workspace.build("plain");
    await expect(readFile(join(workspace.root, "plain", "kustomization.yaml"), "utf8")).rejects.toThrow(
      /ENOENT/,
    );
    await expect(readFile(join(fixtures, "plain", "kustomization.yaml"), "utf8")).rejects.toThrow(/ENOENT/);
  });
});

describe("origins", () => {
  it("gives each object its file (relative to the repository root) and the line of its document", async () => {
    const manifests = await workspace.build("plain");
    const byName = Object.fromEntries(
      manifests.map((m) => [`${m.object.kind}/${m.object.metadata.name}`, m.origin]),
    );
    expect(byName["ConfigMap/settings"]).toEqual({ file: "plain/configmap.yaml", line: 2 });
    expect(byName["Service/web"]).toEqual({ file: "plain/nested/deep/web.yaml", line: 1 });
    expect(byName["Deployment/web"]).toEqual({ file: "plain/nested/deep/web.yaml", line: 10 });
    expect(byName["ServiceAccount/listed"]).toEqual({ file: "plain/base/listed.yaml", line: 1 });
  });

  it("removes kustomize's origin annotation from the objects", async () => {
    const manifests = await workspace.build("overlay/app");
    for (const { object } of manifests) {
      expect(object.metadata.annotations?.["config.kubernetes.io/origin"]).toBeUndefined();
    }
    expect(manifests.find((m) => m.object.kind === "Service")?.object.metadata).not.toHaveProperty(
      "annotations",
    );
  });

  it("finds the document of a renamed object (name prefix and suffix)", async () => {
    const manifests = await workspace.build("overlay/app", { namePrefix: "p-", nameSuffix: "-s" });
    const service = manifests.find((m) => m.object.kind === "Service");
    expect(service?.object.metadata.name).toBe("p-app-s");
    expect(service?.origin).toEqual({ file: "overlay/app/workload.yaml", line: 23 });
  });

  it("points generated objects at the kustomization file and the generator entry", async () => {
    const manifests = await workspace.build("overlay/app");
    const generated = manifests.find((m) => m.object.metadata.name.startsWith("app-config-"));
    expect(generated?.origin).toEqual({ file: "overlay/app/kustomization.yaml", line: 6 });
  });

  it("keeps the annotation when the kustomization asks for origin annotations itself", async () => {
    const manifests = await workspace.build("overlay/app", { buildMetadata: ["originAnnotations"] });
    const service = manifests.find((m) => m.object.kind === "Service");
    expect(service?.object.metadata.annotations?.["config.kubernetes.io/origin"]).toBe(
      "path: workload.yaml\n",
    );
    expect(service?.origin).toEqual({ file: "overlay/app/workload.yaml", line: 23 });
  });
});

describe("paths", () => {
  it.each(["..", "../build", "plain/../../x", "./plain/../.."])(
    "refuses %s, which leaves the repository",
    async (path) => {
      const error = await buildError(workspace.build(path));
      expect(error.message).toContain(`path ${path} leaves the repository`);
    },
  );

  it("reports a path that does not exist as Flux does", async () => {
    const error = await buildError(workspace.build("nowhere"));
    expect(error.message).toBe("nowhere: kustomization path not found: nowhere");
  });

  it("refuses a kustomization entry that leaves the repository, naming the file and line", async () => {
    const error = await buildError(workspace.build("escape/app"));
    expect(error.problems[0]).toEqual({
      message:
        "resources entry '../../../outside' points outside the repository; Ferry builds only what the repository holds",
      origin: { file: "escape/app/kustomization.yaml", line: 4 },
    });
  });
});

describe("kustomize failures", () => {
  it("say which path failed and carry kustomize's message with repository paths", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferry-fail-"));
    try {
      await mkdir(join(dir, "app"));
      await writeFile(join(dir, "app", "kustomization.yaml"), "resources:\n  - missing.yaml\n");
      const ws = await Workspace.create(dir);
      try {
        const error = await buildError(ws.build("app"));
        expect(error.message).toBe(
          "app/kustomization.yaml: kustomize build failed for app: accumulating resources from 'missing.yaml': app/missing.yaml: no such file or directory",
        );
        expect(error.message).not.toContain(ws.root);
      } finally {
        await ws.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the repository copy", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-links-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a symbolic link whose target is outside the repository, naming it", async () => {
    const repo = join(dir, "repo-out");
    await mkdir(join(repo, "app"), { recursive: true });
    await writeFile(join(dir, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
    await symlink(join(dir, "secret.yaml"), join(repo, "app", "secret.yaml"));
    const error = await buildError(Workspace.create(repo));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].origin).toEqual({ file: "app/secret.yaml" });
    expect(error.message).toContain("symbolic link app/secret.yaml points outside the repository");
  });

  it("keeps a symbolic link that stays inside the repository, pointing into the copy", async () => {
    const repo = join(dir, "repo-in");
    await mkdir(join(repo, "shared"), { recursive: true });
    await mkdir(join(repo, "app"), { recursive: true });
    await writeFile(
      join(repo, "shared", "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
    );
    await symlink("../shared/cm.yaml", join(repo, "app", "cm.yaml"));
    const ws = await Workspace.create(repo);
    try {
      expect(names(await ws.build("app"))).toEqual(["ConfigMap/shared"]);
    } finally {
      await ws.dispose();
    }
  });

  it("does not follow a folder link while generating a kustomization (a loop would never end)", async () => {
    const repo = join(dir, "repo-loop");
    await mkdir(join(repo, "app"), { recursive: true });
    await writeFile(
      join(repo, "app", "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: once\n",
    );
    await symlink("..", join(repo, "app", "loop"));
    const ws = await Workspace.create(repo);
    try {
      expect(names(await ws.build("app"))).toEqual(["ConfigMap/once"]);
    } finally {
      await ws.dispose();
    }
  });

  it("finishes the builds asked for before dispose, and refuses new ones", async () => {
    const ws = await Workspace.create(join(fixtures, "plain"));
    const pending = ws.build(".");
    await ws.dispose();
    await expect(pending).resolves.toHaveLength(4);
    await expect(ws.build(".")).rejects.toThrow("the build workspace was disposed");
  });

  it("leaves out .git", async () => {
    const repo = join(dir, "repo-git");
    await mkdir(join(repo, ".git"), { recursive: true });
    await writeFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
    const ws = await Workspace.create(repo);
    try {
      await expect(readFile(join(ws.root, ".git", "HEAD"), "utf8")).rejects.toThrow(/ENOENT/);
    } finally {
      await ws.dispose();
    }
  });

  it("restores an edited kustomization file after the build, and runs builds one at a time", async () => {
    const original = await readFile(join(fixtures, "overlay", "app", "kustomization.yaml"), "utf8");
    const [a, b] = await Promise.all([
      workspace.build("overlay/app", { targetNamespace: "one" }),
      workspace.build("overlay/app", { targetNamespace: "two" }),
    ]);
    expect(new Set(a.map((m) => m.object.metadata.namespace))).toEqual(new Set(["one"]));
    expect(new Set(b.map((m) => m.object.metadata.namespace))).toEqual(new Set(["two"]));
    expect(await readFile(join(workspace.root, "overlay", "app", "kustomization.yaml"), "utf8")).toBe(
      original,
    );
    expect(await readFile(join(fixtures, "overlay", "app", "kustomization.yaml"), "utf8")).toBe(original);
  });

  it("removes the copy on dispose", async () => {
    const ws = await Workspace.create(join(fixtures, "plain"));
    const copy = ws.root;
    await ws.dispose();
    await expect(readFile(join(copy, "configmap.yaml"), "utf8")).rejects.toThrow(/ENOENT/);
  });
});
