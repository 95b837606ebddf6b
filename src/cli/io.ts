/** What a `ferry` subcommand may touch of the outside world, so tests can run it in-process. */

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  /** Whether stdout is a terminal (progress output) or a pipe (plain lines). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** Thrown by a command to end with a given exit code after it has printed what it had to say. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}
