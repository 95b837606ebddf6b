/** Runs the `ferry` command line in-process, as `bin/ferry.js` would, capturing what it prints. */
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  isTTY?: boolean;
}

export async function runFerry(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(["node", "ferry", ...args], {
    writeOut: (text) => {
      out += text;
    },
    writeErr: (text) => {
      err += text;
    },
    io: { env: options.env ?? {}, isTTY: options.isTTY ?? false, readStdin: async () => options.stdin ?? "" },
  });
  return { code, out, err };
}
