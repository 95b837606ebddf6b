/**
 * The registry logins an OCI source's `secretRef` Secret holds, as Flux reads them: a
 * `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` (the entry for the registry), or
 * `username` and `password` keys (for any registry). Messages name the Secret and the key, never a value.
 */
import {
  type CredentialLookup,
  DockerConfigError,
  dockerConfigLogins,
  type RegistryLogin,
} from "../../images/registry/index.js";
import { ChartSourceError } from "./errors.js";

/**
 * A lookup over `data` (the Secret's decoded data); `secret` names it in errors
 * (`Secret flux-system/ghcr-auth`). Throws ChartSourceError when the Secret holds no login, or none
 * for the registry asked about.
 */
export function secretLogins(data: Record<string, string>, secret: string): CredentialLookup {
  const dockerConfig = data[".dockerconfigjson"];
  if (dockerConfig !== undefined) {
    let lookup: CredentialLookup;
    try {
      lookup = dockerConfigLogins(dockerConfig, `${secret} (.dockerconfigjson)`);
    } catch (error) {
      if (!(error instanceof DockerConfigError)) throw error;
      throw new ChartSourceError(error.message, "unauthorized", secret, undefined, { cause: error });
    }
    return async (registry) => {
      const login = await lookup(registry);
      if (login) return login;
      throw new ChartSourceError(
        `${secret} has no login for ${registry} in .dockerconfigjson; add one (kubectl create secret docker-registry --docker-server=${registry})`,
        "unauthorized",
        secret,
      );
    };
  }
  const { username, password } = data;
  if (!username || !password) {
    throw new ChartSourceError(
      `${secret} has neither .dockerconfigjson nor username and password keys; give it a registry login`,
      "unauthorized",
      secret,
    );
  }
  const login: RegistryLogin = { username, password };
  return () => login;
}
