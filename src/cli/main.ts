import { Command, CommanderError } from "commander";
import { packageVersion } from "../package.js";
import { applyCommand } from "./apply.js";
import { buildCommand } from "./build.js";
import { diffCommand } from "./diff.js";
import { healthCommand } from "./health.js";
import { imagesCommand } from "./images.js";
import { type CliIO, ExitCode, processIO } from "./io.js";
import { sopsCommand } from "./sops.js";

export interface ProgramOptions {
  version?: string;
  /** Where help and version text go (default: stdout). */
  writeOut?: (text: string) => void;
  /** Where errors go (default: stderr). */
  writeErr?: (text: string) => void;
  /** The rest of the outside world commands see (stdin, terminal, environment). */
  io?: Partial<CliIO>;
}

function ioOf(options: ProgramOptions): CliIO {
  const base = { ...processIO(), ...options.io };
  return {
    ...base,
    ...(options.writeOut && { out: options.writeOut }),
    ...(options.writeErr && { err: options.writeErr }),
  };
}

/** Builds the `ferry` command line without parsing anything, so tests can drive it in-process. */
export function createProgram(options: ProgramOptions = {}): Command {
  const io = ioOf(options);
  const program = new Command("ferry")
    .description("Ferry: GitOps for Kubernetes as a GitHub App. This is its command line.")
    .version(options.version ?? packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .option("--debug", "print stack traces with errors")
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const command of [
    buildCommand(io),
    diffCommand(io),
    applyCommand(io),
    healthCommand(io),
    sopsCommand(io),
    imagesCommand(io),
  ]) {
    program.addCommand(command);
  }
  return program;
}

/** Runs `ferry` with node-style argv (`[node, script, ...args]`); resolves to the exit code. */
export async function main(
  argv: readonly string[] = process.argv,
  options: ProgramOptions = {},
): Promise<number> {
  const program = createProgram(options).exitOverride();
  for (const command of program.commands) command.exitOverride();
  const io = ioOf(options);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) return error.exitCode;
    const debug = argv.includes("--debug");
    io.err(
      `error: ${error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error)}\n`,
    );
    return 1;
  }
}
