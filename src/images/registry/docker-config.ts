/**
 * Logins from a Docker config file (`~/.docker/config.json`, or the `.dockerconfigjson` key of a
 * `kubernetes.io/dockerconfigjson` Secret, which is what a Flux ImageRepository's `secretRef`
 * names): the `auths` map, each entry with `auth` (base64 of `username:password`) or `username`
 * and `password`. Entries with neither (credential helpers, identity tokens) give no login.
 */
import { z } from "zod";
import type { CredentialLookup, RegistryLogin } from "./credentials.js";
import { DockerConfigError } from "./errors.js";
import { canonicalRegistry } from "./reference.js";

const dockerConfig = z.looseObject({
  auths: z
    .record(
      z.string(),
      z.looseObject({
        auth: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
      }),
    )
    .optional(),
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A lookup by canonical registry name over the config's `auths`. `config` is the file's text or
 * its parsed JSON; `source` names it in errors (`Secret flux-system/ghcr-auth`).
 */
export function dockerConfigLogins(config: unknown, source = "the Docker config"): CredentialLookup {
  let value = config;
  if (typeof config === "string") {
    try {
      value = JSON.parse(config);
    } catch {
      // JSON.parse's message quotes the text, secrets included.
      throw new DockerConfigError(`${source} is not valid JSON`);
    }
  }
  const parsed = dockerConfig.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join(".") || "the top level";
    throw new DockerConfigError(`${source} is not a Docker config: ${where} has the wrong type`);
  }

  const logins = new Map<string, RegistryLogin>();
  for (const [key, entry] of Object.entries(parsed.data.auths ?? {})) {
    const registry = registryOfKey(key);
    if (entry.auth) {
      logins.set(registry, decodeAuth(entry.auth, `${source}: auths[${JSON.stringify(key)}].auth`));
    } else if (entry.username && entry.password) {
      logins.set(registry, { username: entry.username, password: entry.password });
    }
  }
  return (registry) => logins.get(canonicalRegistry(registry));
}

/** `https://index.docker.io/v1/` → `docker.io`; `ghcr.io` stays. */
function registryOfKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "";
  return canonicalRegistry(host);
}

function decodeAuth(auth: string, where: string): RegistryLogin {
  const text = BASE64.test(auth) ? Buffer.from(auth, "base64").toString("utf8") : "";
  const colon = text.indexOf(":");
  if (colon <= 0) throw new DockerConfigError(`${where} is not base64 of username:password`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
