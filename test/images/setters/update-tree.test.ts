import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { updateText, updateTree, writeUpdates } from "../../../src/images/setters/index.js";
import { FIXTURES, fixture, fluxPolicies, policies } from "./support.js";

const marked = (image: string) => `image: ${image} # {"$imagepolicy": "automation-ns:policy"}\n`;

let base: string;
let root: string;
const read = (path: string) => readFileSync(join(root, path), "utf8");

/**
 * A repository holding Flux's fixtures under clusters/prod, with what the walker must skip or
 * report around them.
 */
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "ferry-setters-"));
  root = join(base, "repo");
  const prod = join(root, "clusters/prod");
  mkdirSync(prod, { recursive: true });
  cpSync(join(FIXTURES, "flux/original"), prod, { recursive: true });
  mkdirSync(join(root, "apps"));
  writeFileSync(join(root, "apps/web.yaml"), marked("web:1"));
  writeFileSync(join(root, "apps/notes.txt"), marked("web:1"));
  writeFileSync(join(root, "apps/values.json"), marked("web:1"));
  writeFileSync(join(root, "apps/web.yaml.orig"), marked("web:1"));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, ".git/config.yaml"), marked("web:1"));
  writeFileSync(
    join(prod, "broken.yaml"),
    fixture("text/broken/before/broken.yaml").replaceAll("apps:web", "automation-ns:policy"),
  );
  writeFileSync(
    join(prod, "latin1.yaml"),
    Buffer.concat([Buffer.from(marked("caf")), Buffer.from([0xe9, 0x0a])]),
  );
  mkdirSync(join(base, "outside"));
  writeFileSync(join(base, "outside/web.yaml"), marked("web:1"));
  symlinkSync("../../apps/web.yaml", join(prod, "link-inside.yaml"));
  symlinkSync(join(base, "outside/web.yaml"), join(prod, "link-outside.yaml"));
  symlinkSync("missing.yaml", join(prod, "link-dangling.yaml"));
  symlinkSync(join(base, "outside"), join(prod, "outside-dir"));
  symlinkSync("../../apps", join(prod, "apps-dir"));
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

const fluxExpected = (file: string) => fixture("flux/expected", file);

describe("updateTree", () => {
  it("finds Flux's changes under the update path, follows links only inside the root, and writes nothing", async () => {
    const result = await updateTree(root, "clusters/prod", fluxPolicies);

    expect(result.files.map((file) => file.path)).toEqual([
      "clusters/prod/Kustomization",
      "clusters/prod/kustomization.yml",
      "apps/web.yaml",
      "clusters/prod/marked.yaml",
    ]);
    const byPath = new Map(result.files.map((file) => [file.path, file]));
    for (const file of ["Kustomization", "kustomization.yml", "marked.yaml"]) {
      const update = byPath.get(`clusters/prod/${file}`);
      expect(update?.before).toBe(fixture("flux/original", file));
      expect(update?.after).toBe(fluxExpected(file));
      expect(update?.changes).toEqual(
        updateText(`clusters/prod/${file}`, fixture("flux/original", file), fluxPolicies).changes,
      );
    }
    expect(byPath.get("apps/web.yaml")).toEqual({
      path: "apps/web.yaml",
      before: marked("web:1"),
      after: marked("index.repo.fake/updated:v1.0.1"),
      changes: [
        {
          file: "apps/web.yaml",
          line: 1,
          oldValue: "web:1",
          newValue: "index.repo.fake/updated:v1.0.1",
          setter: "automation-ns:policy",
        },
      ],
    });
    expect(result.problems).toEqual([
      {
        message: expect.stringMatching(/^not valid YAML/),
        origin: { file: "clusters/prod/broken.yaml", line: 7 },
      },
      {
        message: "not UTF-8 text, so its image policy markers were not applied",
        origin: { file: "clusters/prod/latin1.yaml" },
      },
    ]);
    expect(read("clusters/prod/marked.yaml")).toBe(fixture("flux/original/marked.yaml"));
    expect(read("apps/web.yaml")).toBe(marked("web:1"));
  });

  it("skips .git and files of other names when walking the whole repository, and reports a file once", async () => {
    const result = await updateTree(root, ".", fluxPolicies);
    expect(result.files.map((file) => file.path)).toEqual([
      "apps/web.yaml",
      "clusters/prod/Kustomization",
      "clusters/prod/kustomization.yml",
      "clusters/prod/marked.yaml",
    ]);
  });

  it("takes a single file as the update path", async () => {
    const result = await updateTree(root, "clusters/prod/marked.yaml", fluxPolicies);
    expect(result.files.map((file) => file.path)).toEqual(["clusters/prod/marked.yaml"]);
  });

  it("finds nothing to change when no marker names a known policy", async () => {
    expect(await updateTree(root, "apps", policies)).toEqual({ files: [], problems: [] });
  });

  it.each([
    ["..", /is outside the repository/],
    ["../outside", /is outside the repository/],
    ["clusters/prod/outside-dir", /is outside the repository/],
    ["/etc", /is outside the repository/],
    ["clusters/staging", /does not exist in the repository/],
  ])("refuses the update path %s", async (path, message) => {
    await expect(updateTree(root, path, fluxPolicies)).rejects.toThrow(message);
  });
});

describe("writeUpdates", () => {
  it("writes the changed files, through links, and leaves the rest", async () => {
    const result = await updateTree(root, "clusters/prod", fluxPolicies);
    await writeUpdates(root, result);

    for (const file of ["Kustomization", "kustomization.yml", "marked.yaml"]) {
      expect(read(`clusters/prod/${file}`)).toBe(fluxExpected(file));
    }
    for (const file of ["otherns.yaml", "unmarked.yaml", "test.yaml"]) {
      expect(read(`clusters/prod/${file}`)).toBe(fixture("flux/original", file));
    }
    expect(read("apps/web.yaml")).toBe(marked("index.repo.fake/updated:v1.0.1"));
    expect(lstatSync(join(root, "clusters/prod/link-inside.yaml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(base, "outside/web.yaml"), "utf8")).toBe(marked("web:1"));
    expect(read(".git/config.yaml")).toBe(marked("web:1"));

    // A second run finds everything up to date.
    expect((await updateTree(root, "clusters/prod", fluxPolicies)).files).toEqual([]);
  });
});
