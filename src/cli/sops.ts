import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { decryptDocument, formatForPath, loadKeys, SOPS_FORMATS, type SopsFormat } from "../sops/index.js";
import { type CliIO, ExitCode } from "./io.js";

interface DecryptOptions {
  ageKeyFile: string[];
  pgpKeyFile: string[];
  inputType?: SopsFormat;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** One line for the terminal, whatever the error was. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ");
}

async function decrypt(io: CliIO, file: string, options: DecryptOptions): Promise<void> {
  try {
    const fromStdin = file === "-";
    const format = options.inputType ?? (fromStdin ? undefined : formatForPath(file));
    if (!format) throw new Error("reading from stdin needs --input-type");
    const text = fromStdin ? await io.readStdin() : await readFile(file, "utf8");
    const keys = await loadKeys({
      ageKeyFiles: options.ageKeyFile,
      pgpKeyFiles: options.pgpKeyFile,
      env: io.env,
    });
    const output = await decryptDocument(text, format, keys, fromStdin ? "stdin" : file);
    io.out(typeof output === "string" ? output : Buffer.from(output).toString("utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT" || code === "EISDIR" ? `${file}: cannot read the file (${code})` : oneLine(error);
    io.err(`error: ${message}\n`);
    throw new ExitCode(1);
  }
}

/** `ferry sops`: SOPS-encrypted files as Ferry decrypts them during a sync. */
export function sopsCommand(io: CliIO): Command {
  const sops = new Command("sops")
    .description("decrypt and check SOPS-encrypted files")
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride();

  sops
    .command("decrypt")
    .description(
      "decrypt a SOPS-encrypted file and print it, like `sops -d` (keys from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the options)",
    )
    .argument("<file>", "the encrypted file (- for stdin, with --input-type)")
    .option("--age-key-file <file>", "an age identity file (repeatable)", collect, [])
    .option("--pgp-key-file <file>", "an armored PGP private key file (repeatable)", collect, [])
    .addOption(
      new Option("--input-type <type>", "the file's format (default: from its extension)").choices(
        SOPS_FORMATS,
      ),
    )
    .action((file: string, options: DecryptOptions) => decrypt(io, file, options));

  return sops;
}
