/** `ferry build PATH`: the objects a path yields, as a sync would build them. */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import { formatProblem } from "../build/errors.js";
import { isInside } from "../build/paths.js";
import { Workspace } from "../build/workspace.js";
import type { Manifest } from "../model/object.js";
import { ReconcileError } from "../model/result.js";
import { type CliIO, ExitCode } from "./io.js";

interface BuildOptions {
  repo?: string;
  allowRemoteBases?: boolean;
}

/**
 * `ferry build PATH [--repo DIR] [--allow-remote-bases]`. Prints the objects as multi-document
 * YAML (like `flux build kustomization`; Flux objects included as kustomize gives them) and
 * exits 0; on failure prints one line per problem (`file:line: message`) to stderr and throws
 * `ExitCode(1)`. Commander's own output goes through `io`.
 */
export function buildCommand(io: CliIO): Command {
  return new Command("build")
    .description("build the manifests of a path as a sync would (kustomize, Flux overlays)")
    .argument("<path>", "the folder to build: one with a kustomization.yaml, or plain Kubernetes YAML files")
    .option(
      "--repo <dir>",
      "the repository root; nothing outside it is read (default: the nearest folder above PATH holding .git, " +
        "else the current folder when PATH is inside it, else PATH itself)",
    )
    .option(
      "--allow-remote-bases",
      "let kustomize fetch remote bases (git and HTTP URLs) instead of refusing them",
    )
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      [
        "",
        "PATH is built in a private copy of the repository, as Flux's kustomize-controller builds it: a",
        "kustomization.yaml is generated when PATH has none, and every object's origin is tracked. Nothing",
        "is applied and no cluster is contacted. Post-build substitution and SOPS decryption are not run.",
        "",
      ].join("\n"),
    )
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .action(async (path: string, options: BuildOptions) => {
      await runBuild(io, path, options);
    });
}

async function runBuild(io: CliIO, path: string, options: BuildOptions): Promise<void> {
  const target = resolve(path);
  const fail = (lines: string[]): never => {
    for (const line of lines) io.err(`${line}\n`);
    throw new ExitCode(1);
  };
  if (!(await isFolder(target))) fail([`${path}: no such folder`]);
  const repo = options.repo ? resolve(options.repo) : repositoryRootOf(target);
  if (options.repo && !(await isFolder(repo))) fail([`--repo ${options.repo}: no such folder`]);
  if (!isInside(repo, target)) fail([`${path} is not inside the repository ${repo}`]);

  let manifests: Manifest[];
  try {
    const workspace = await Workspace.create(repo, { allowRemoteBases: options.allowRemoteBases === true });
    try {
      manifests = await workspace.build(relative(repo, target) || ".");
    } finally {
      await workspace.dispose();
    }
  } catch (error) {
    if (error instanceof ReconcileError) fail(error.problems.map(formatProblem));
    fail([`ferry build: ${error instanceof Error ? error.message : String(error)}`]);
    return;
  }
  io.out(toYaml(manifests));
}

/** Multi-document YAML, `---` between documents, as `kubectl kustomize` prints it. */
export function toYaml(manifests: Manifest[]): string {
  return manifests.map(({ object }) => stringify(object, { lineWidth: 0 })).join("---\n");
}

/** The nearest folder at or above `dir` holding `.git`; else the current folder if `dir` is inside it; else `dir`. */
export function repositoryRootOf(dir: string, cwd: string = process.cwd()): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) break;
  }
  return isInside(cwd, dir) ? cwd : dir;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
