import { Command, CommanderError } from "commander";
import { packageVersion } from "../package.js";

/** The subcommands planned for `ferry`; none is available yet, so none is registered. */
export const plannedCommands: ReadonlyArray<readonly [name: string, summary: string]> = [
  ["build", "build the manifests of a path as a sync would (kustomize, Flux overlays)"],
  ["diff", "dry-run a build against a cluster and show the per-object diff"],
  ["apply", "apply a build to a cluster (staged server-side apply, prune, wait)"],
  ["images", "scan image policies and show or write the tag updates"],
  ["sops", "decrypt and check SOPS-encrypted files"],
  ["health", "report the readiness of what Ferry applied"],
];

export interface ProgramOptions {
  version?: string;
  /** Where help and version text go (default: stdout). */
  writeOut?: (text: string) => void;
  /** Where errors go (default: stderr). */
  writeErr?: (text: string) => void;
}

/** Builds the `ferry` command line without parsing anything, so tests can drive it in-process. */
export function createProgram(options: ProgramOptions = {}): Command {
  const program = new Command("ferry")
    .description("Ferry: GitOps for Kubernetes as a GitHub App. This is its command line.")
    .version(options.version ?? packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      [
        "",
        "Commands (coming soon, not available yet):",
        ...plannedCommands.map(([name, summary]) => `  ${name.padEnd(8)}${summary}`),
        "",
      ].join("\n"),
    )
    .allowExcessArguments(true)
    .action(() => {
      const [command] = program.args;
      if (command === undefined) program.help();
      const planned = plannedCommands.some(([name]) => name === command);
      program.error(
        planned
          ? `error: '${command}' is coming soon and not available yet (see ferry --help)`
          : `error: unknown command '${command}' (see ferry --help)`,
      );
    });
  if (options.writeOut || options.writeErr) {
    program.configureOutput({
      ...(options.writeOut && { writeOut: options.writeOut }),
      ...(options.writeErr && { writeErr: options.writeErr }),
    });
  }
  return program;
}

/** Runs `ferry` with node-style argv (`[node, script, ...args]`); resolves to the exit code. */
export async function main(
  argv: readonly string[] = process.argv,
  options: ProgramOptions = {},
): Promise<number> {
  const program = createProgram(options).exitOverride();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}
