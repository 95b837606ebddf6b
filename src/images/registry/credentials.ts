/** A username and password (or token) for one registry. */
export interface RegistryLogin {
  username: string;
  password: string;
}

/**
 * The login Ferry has for a registry, by its canonical name (`ghcr.io`, `docker.io`,
 * `registry.example.com:5000`; see canonicalRegistry), or undefined to go anonymous.
 */
export type CredentialLookup = (
  registry: string,
) => RegistryLogin | undefined | Promise<RegistryLogin | undefined>;

/** The `Authorization` header value for HTTP Basic. */
export function basicAuthorization(login: RegistryLogin): string {
  return `Basic ${basicToken(login)}`;
}

/** What must never appear in a message: the password, also as it travels in a Basic header. */
export function secretsOf(login: RegistryLogin | undefined): string[] {
  return login ? [login.password, basicToken(login)] : [];
}

function basicToken(login: RegistryLogin): string {
  return Buffer.from(`${login.username}:${login.password}`).toString("base64");
}
