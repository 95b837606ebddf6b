import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BuildError } from "../../src/build/errors.js";
import { isRemoteReference, normalizeRepoPath } from "../../src/build/paths.js";
import { checkReferences } from "../../src/build/references.js";
import { Workspace } from "../../src/build/workspace.js";
import { root } from "../support/build.js";

const fixtures = await realpath(join(root, "test", "fixtures", "build"));

async function rejection(promise: Promise<unknown>): Promise<BuildError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BuildError);
  return error as BuildError;
}

describe("remote bases", () => {
  it("are refused, naming the kustomization file, the entry and the operator's switch", async () => {
    const error = await rejection(checkReferences(fixtures, join(fixtures, "remote", "app")));
    expect(error.problems).toEqual([
      {
        message:
          "resources entry 'https://github.com/stefanprodan/podinfo//kustomize?ref=6.7.0' is a remote base, which Ferry does not fetch: " +
          "vendor it into the repository, or ask the operator to allow remote bases (allowRemoteBases: true)",
        origin: { file: "remote/app/kustomization.yaml", line: 5 },
      },
    ]);
    expect(error.message).toMatch(
      /^remote\/app\/kustomization\.yaml:5: resources entry 'https:\/\/github\.com/,
    );
  });

  it("are found in every kustomization reachable from the path (here a component two levels down)", async () => {
    const error = await rejection(checkReferences(fixtures, join(fixtures, "remote", "nested")));
    expect(error.problems.map((p) => p.origin)).toEqual([
      { file: "remote/nested/inner/kustomization.yaml", line: 6 },
    ]);
    expect(error.message).toContain(
      "components entry 'git@github.com:acme/components.git//monitoring?ref=v1'",
    );
  });

  it("are not checked when the operator allows them (kustomize is then given the URL)", async () => {
    await expect(
      checkReferences(fixtures, join(fixtures, "remote", "app"), { allowRemoteBases: true }),
    ).resolves.toBeUndefined();
    await expect(
      checkReferences(fixtures, join(fixtures, "remote", "nested"), { allowRemoteBases: true }),
    ).resolves.toBeUndefined();
  });

  it("stop a workspace build before kustomize runs", async () => {
    const workspace = await Workspace.create(fixtures);
    try {
      const error = await rejection(workspace.build("remote/app"));
      expect(error.message).toContain("is a remote base");
      expect(error.message).not.toContain("kustomize build failed");
    } finally {
      await workspace.dispose();
    }
  });

  it.each([
    ["https://github.com/acme/fleet//apps?ref=main", true],
    ["http://example.com/all.yaml", true],
    ["git::https://github.com/acme/fleet", true],
    ["git@github.com:acme/fleet.git", true],
    ["ssh://git@github.com/acme/fleet", true],
    ["github.com/acme/fleet/apps", true],
    ["gh:acme/fleet", true],
    ["../base", false],
    ["deployment.yaml", false],
    ["github.com.yaml", false],
  ])("%s is remote: %s", (entry, remote) => {
    expect(isRemoteReference(entry)).toBe(remote);
  });
});

describe("local entries", () => {
  it("may not leave the repository", async () => {
    const error = await rejection(checkReferences(fixtures, join(fixtures, "escape", "app")));
    expect(error.problems[0].origin).toEqual({ file: "escape/app/kustomization.yaml", line: 4 });
    expect(error.problems[0].message).toContain("'../../../outside' points outside the repository");
  });

  it("pass when they stay inside", async () => {
    await expect(checkReferences(fixtures, join(fixtures, "overlay", "app"))).resolves.toBeUndefined();
  });
});

describe("normalizeRepoPath", () => {
  it.each([
    ["./apps", "apps"],
    ["apps/", "apps"],
    ["/apps/prod", "apps/prod"],
    ["", "."],
    ["./", "."],
    ["apps/../infra", "infra"],
    ["..", undefined],
    ["apps/../../x", undefined],
  ])("%j → %j", (input, expected) => {
    expect(normalizeRepoPath(input)).toBe(expected);
  });
});
