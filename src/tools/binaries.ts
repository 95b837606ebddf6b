import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { packageRoot } from "../package.js";

/** The external programs Ferry runs. kustomize is `kubectl kustomize`, so it has no entry. */
export type BinaryName = "kubectl" | "helm";

export interface LocateOptions {
  /** A path (or a bare command name, looked up on PATH) that wins over everything else. */
  explicit?: string;
  /** Where FERRY_KUBECTL / FERRY_HELM and PATH are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The tools cache holding `<name>/<name>`; default `.cache/tools` under the package root. */
  cacheDir?: string;
}

const envVariable: Record<BinaryName, string> = { kubectl: "FERRY_KUBECTL", helm: "FERRY_HELM" };

/** `.cache/tools` under Ferry's package root, where `npm run tools` unpacks kubectl and helm. */
export function defaultToolsCacheDir(): string {
  return join(packageRoot(), ".cache", "tools");
}

/**
 * Finds the `kubectl` or `helm` to run: an explicit setting (option, then FERRY_KUBECTL /
 * FERRY_HELM), then the project's tools cache, then PATH. Throws an error saying how to
 * provide the binary when none is found; an explicit setting that is not an executable
 * file is an error too (it never falls through to another candidate).
 */
export async function locateBinary(name: BinaryName, options: LocateOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const variable = envVariable[name];

  const fromOption = options.explicit?.trim();
  const fromEnv = env[variable]?.trim();
  const explicit = fromOption || fromEnv;
  if (explicit) {
    const source = fromOption ? `the ${name} setting` : variable;
    const found = isBareName(explicit) ? await searchPath(explicit, env) : resolve(explicit);
    if (found && (await isExecutableFile(found))) return found;
    throw new Error(
      `${source} is "${explicit}", which is not an executable file` +
        (isBareName(explicit) ? " on PATH" : "") +
        `. Point ${variable} at the ${name} binary, or unset it to use ${name} from the tools cache or PATH.`,
    );
  }

  const cacheDir = options.cacheDir ?? defaultToolsCacheDir();
  const cached = join(cacheDir, name, name);
  if (await isExecutableFile(cached)) return cached;

  const onPath = await searchPath(name, env);
  if (onPath) return onPath;

  throw new Error(
    `${name} not found: it is not in the tools cache (${cached}) nor on PATH. ` +
      `Set ${variable} to the path of a ${name} binary, or run \`npm run tools\` to unpack it into the tools cache.`,
  );
}

function isBareName(value: string): boolean {
  return !isAbsolute(value) && !value.includes("/") && !value.includes("\\");
}

async function searchPath(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
