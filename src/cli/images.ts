/**
 * `ferry images`: the image update flow's parts on the command line — which tag a policy picks,
 * rewriting marked values, and what the registries have for a repository's policies.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { Workspace } from "../build/workspace.js";
import { type ImagePolicy, type ImageRepository, readImageObject } from "../images/kinds.js";
import { selectLatestTag } from "../images/policy/index.js";
import { parseImageReference, RegistryClient } from "../images/registry/index.js";
import { namespaceOf, resolvePolicies } from "../images/resolve.js";
import { scanImageObjects } from "../images/scan.js";
import type { PolicyResult } from "../images/setters/index.js";
import { updateTree, writeUpdates } from "../images/setters/index.js";
import { DOCKER_LOGINS_SOURCE, dockerLogins } from "./docker-logins.js";
import { type CliIO, ExitCode } from "./io.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function fail(io: CliIO, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  throw new ExitCode(1);
}

/**
 * The ImagePolicy in a YAML file (the one `name` says, `<namespace>/<name>` or `<name>`, when it holds
 * several) and, if the file has it, the ImageRepository the policy names, for its exclusions.
 */
async function readPolicyFile(
  file: string,
  name?: string,
): Promise<{ policy: ImagePolicy; repository?: ImageRepository }> {
  const objects = parseAllDocuments(await readFile(file, "utf8")).flatMap((doc) => {
    if (doc.errors[0]) throw new Error(`${file}: not YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as { kind?: unknown } | null;
    return value && (value.kind === "ImagePolicy" || value.kind === "ImageRepository")
      ? [readImageObject(value)]
      : [];
  });
  const idOf = (o: ImagePolicy | ImageRepository) => `${namespaceOf(o)}/${o.metadata.name}`;
  const policies = objects
    .filter((o): o is ImagePolicy => o.kind === "ImagePolicy")
    .filter((p) => name === undefined || idOf(p) === name || p.metadata.name === name);
  const [policy] = policies;
  if (!policy) throw new Error(`${file} holds no ImagePolicy${name ? ` named ${name}` : ""}`);
  if (policies.length > 1) {
    throw new Error(
      `${file} holds several ImagePolicies (${policies.map(idOf).join(", ")}); say which with --name`,
    );
  }
  const ref = policy.spec.imageRepositoryRef;
  const wanted = `${ref.namespace ?? namespaceOf(policy)}/${ref.name}`;
  const repository = objects.find(
    (o): o is ImageRepository => o.kind === "ImageRepository" && idOf(o) === wanted,
  );
  return { policy, ...(repository ? { repository } : {}) };
}

async function select(io: CliIO, options: { policy: string; tags: string; name?: string }): Promise<void> {
  try {
    const { policy, repository } = await readPolicyFile(options.policy, options.name);
    const text = options.tags === "-" ? await io.readStdin() : await readFile(options.tags, "utf8");
    const tags = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "");
    if (tags.length === 0) throw new Error(`${options.tags === "-" ? "stdin" : options.tags} holds no tags`);
    const tag = selectLatestTag(
      {
        policy: policy.spec.policy,
        ...(policy.spec.filterTags ? { filterTags: policy.spec.filterTags } : {}),
        ...(repository?.spec.exclusionList ? { exclusionList: repository.spec.exclusionList } : {}),
      },
      tags,
    );
    io.out(`${tag}\n`);
  } catch (error) {
    fail(io, error);
  }
}

/** `<namespace>:<name>=<image>:<tag>[@<digest>]`. */
function parseSetting(text: string): [string, PolicyResult] {
  const match = /^([^:=\s]+:[^:=\s]+)=(.+)$/.exec(text);
  if (!match) throw new Error(`--set ${text}: write <namespace>:<name>=<image>:<tag>[@<digest>]`);
  const [, key = "", value = ""] = match;
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(value);
  } catch (error) {
    throw new Error(`--set ${text}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const tag = ref.tag;
  if (!tag) throw new Error(`--set ${text}: the image has no tag; write <image>:<tag>`);
  const [image] = value.split("@");
  const name = (image ?? "").slice(0, (image ?? "").length - tag.length - 1);
  return [key, { image: name, tag, ...(ref.digest ? { digest: ref.digest } : {}) }];
}

async function update(io: CliIO, path: string, options: { set: string[] }): Promise<void> {
  try {
    if (options.set.length === 0) throw new Error("say which policies resolve to what with --set");
    const policies = new Map(options.set.map(parseSetting));
    const result = await updateTree(path, ".", policies);
    await writeUpdates(path, result);
    for (const file of result.files) {
      for (const change of file.changes)
        io.out(`${join(path, change.file)}:${change.line}: ${change.oldValue} -> ${change.newValue}\n`);
    }
    for (const problem of result.problems)
      io.err(
        `warning: ${problem.origin?.file ?? ""}${problem.origin?.line ? `:${problem.origin.line}` : ""}: ${problem.message}\n`,
      );
    const used = new Set(
      result.files.flatMap((f) => f.changes.map((c) => c.setter.split(":").slice(0, 2).join(":"))),
    );
    for (const key of policies.keys()) {
      if (!used.has(key) && !(await markerNamed(path, key)))
        io.err(`warning: --set ${key}: no marker under ${path} names this policy\n`);
    }
    if (result.files.length === 0) io.err("nothing to change\n");
  } catch (error) {
    fail(io, error);
  }
}

async function scan(io: CliIO, path: string): Promise<void> {
  let workspace: Workspace | undefined;
  try {
    workspace = await Workspace.create(path);
    const objects = await scanImageObjects(workspace, ["."]);
    const credentials = await dockerLogins(io);
    const registry = new RegistryClient({
      credentialsSource: DOCKER_LOGINS_SOURCE,
      ...(credentials ? { credentials } : {}),
    });
    const outcomes = await resolvePolicies(objects.policies, objects.repositories, async (_r, image) => ({
      tags: await registry.listTags(image),
    }));
    const rows = outcomes.map((o) => [
      o.key.replace(":", "/"),
      o.image ?? "-",
      o.result ? o.result.tag : `error: ${o.error}`,
    ]);
    const widths = [0, 1].map((i) =>
      Math.max(...[["POLICY", "IMAGE"][i] ?? "", ...rows.map((r) => r[i] ?? "")].map((c) => c.length)),
    );
    const line = (cells: string[]) =>
      `${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c)).join("  ")}\n`;
    io.out(line(["POLICY", "IMAGE", "LATEST"]));
    for (const row of rows) io.out(line(row));
    for (const problem of objects.problems) {
      const where = problem.origin
        ? `${problem.origin.file}${problem.origin.line ? `:${problem.origin.line}` : ""}: `
        : "";
      io.err(`error: ${where}${problem.subject ? `${problem.subject}: ` : ""}${problem.message}\n`);
    }
    if (outcomes.length === 0 && objects.problems.length === 0) io.err(`no ImagePolicy under ${path}\n`);
    if (outcomes.some((o) => o.error) || objects.problems.length > 0) throw new ExitCode(1);
  } catch (error) {
    if (error instanceof ExitCode) throw error;
    fail(io, error);
  } finally {
    await workspace?.dispose();
  }
}

export function imagesCommand(io: CliIO): Command {
  const images = new Command("images")
    .description("scan image policies and show or write the tag updates")
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride();
  images
    .command("select")
    .description("print the tag an ImagePolicy picks from a list of tags (one per line)")
    .requiredOption(
      "--policy <file>",
      "a YAML file with the ImagePolicy (and its ImageRepository, for exclusions)",
    )
    .requiredOption("--tags <file>", "the tags, one per line (- for stdin)")
    .option(
      "--name <policy>",
      "the ImagePolicy to use when the file holds several: <namespace>/<name> or <name>",
    )
    .action((options: { policy: string; tags: string; name?: string }) => select(io, options));
  images
    .command("update")
    .description("rewrite the values marked with $imagepolicy comments under PATH and print each change")
    .argument("<path>", "the folder to update")
    .option("--set <policy=image>", "<namespace>:<name>=<image>:<tag>[@<digest>] (repeatable)", collect, [])
    .action((path: string, options: { set: string[] }) => update(io, path, options));
  images
    .command("scan")
    .description("list each ImagePolicy under PATH, its image and the latest tag its registry has")
    .argument("<path>", "a folder (built as Flux would, Kustomizations followed)")
    .action((path: string) => scan(io, path));
  return images;
}

/** Whether a marked file under `root` names the policy `key` (`"<namespace>:<name>` in a marker comment). */
async function markerNamed(root: string, key: string): Promise<boolean> {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`\\$imagepolicy"\\s*:\\s*"${escaped}(:|")`);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$|^Kustomization$/.test(entry.name)) continue;
    const text = await readFile(join(entry.parentPath, entry.name), "utf8").catch(() => "");
    if (pattern.test(text)) return true;
  }
  return false;
}
