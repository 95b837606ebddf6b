/** Registry logins for the command line: `~/.docker/config.json` (or DOCKER_CONFIG), as docker, helm and Flux's CLI read them. */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { type CredentialLookup, dockerConfigLogins } from "../images/registry/index.js";
import type { CliIO } from "./io.js";

/** Where the logins come from, for messages that tell the user how to add one. */
export const DOCKER_LOGINS_SOURCE = "your docker config (docker login, or DOCKER_CONFIG)";

/** The logins of the user's docker config; undefined when there is no such file. */
export async function dockerLogins(io: CliIO): Promise<CredentialLookup | undefined> {
  const file = join(io.env.DOCKER_CONFIG ?? join(io.env.HOME ?? homedir(), ".docker"), "config.json");
  const text = await readFile(file, "utf8").catch(() => undefined);
  return text === undefined ? undefined : dockerConfigLogins(text, file);
}
