/**
 * The Docker token flow (distribution's token authentication spec): after a `Bearer` challenge,
 * GET the realm with `service` and `scope`, anonymously or with HTTP Basic, and read `token` (or
 * OAuth's `access_token`) from the JSON answer. Tokens are kept until their `expires_in`.
 */
import { z } from "zod";
import type { Challenge } from "./challenge.js";
import { basicAuthorization, type RegistryLogin, secretsOf } from "./credentials.js";
import { usesPlainHttp } from "./endpoint.js";
import { type HttpAnswer, HttpFailure, type HttpOptions, httpGet } from "./http.js";
import { describeAnswer, type ExchangeContext, registryError } from "./messages.js";

/** What the spec tells clients to assume when the answer has no `expires_in`. */
const DEFAULT_EXPIRES_IN_SECONDS = 60;
/** Tokens are dropped this long before they expire, so none expires on the way. */
const EXPIRY_MARGIN_MS = 5_000;

const tokenAnswer = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

/** Bearer tokens by registry host and scope, each until it expires. */
export class TokenCache {
  private readonly entries = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  get(host: string, scope: string): string | undefined {
    const key = `${host}\0${scope}`;
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.token;
    this.entries.delete(key);
    return undefined;
  }

  set(host: string, scope: string, token: string, expiresInSeconds: number): void {
    this.entries.set(`${host}\0${scope}`, {
      token,
      expiresAt: this.now() + expiresInSeconds * 1000 - EXPIRY_MARGIN_MS,
    });
  }
}

export interface TokenRequest {
  challenge: Challenge;
  /** Asked for when the challenge names none: `repository:<name>:pull`. */
  scope: string;
  login: RegistryLogin | undefined;
  insecureRegistries: readonly string[];
  http: HttpOptions;
}

/** A token from the challenge's realm; throws RegistryError naming the listing it was for. */
export async function fetchToken(
  request: TokenRequest,
  context: ExchangeContext,
): Promise<{ token: string; expiresInSeconds: number }> {
  const { challenge, login } = request;
  const service = `the token service of ${context.registry}`;

  let realm: URL;
  try {
    realm = new URL(challenge.params.realm ?? "");
  } catch (error) {
    const where = JSON.stringify(challenge.params.realm ?? "");
    throw registryError(context, `failed: ${service} is at ${where}, not a URL`, "bad-response", 401, error);
  }
  // Credentials go to the realm: never in clear text to a host not marked insecure.
  const plainAllowed = realm.protocol === "http:" && usesPlainHttp(realm.host, request.insecureRegistries);
  if (realm.protocol !== "https:" && !plainAllowed) {
    throw registryError(
      context,
      `failed: ${service} is at ${realm.origin}, not HTTPS — mark ${realm.host} insecure to allow that`,
      "bad-response",
      401,
    );
  }
  if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
  realm.searchParams.set("scope", challenge.params.scope ?? request.scope);

  const headers: Record<string, string> = { accept: "application/json", "user-agent": "ferry" };
  if (login) headers.authorization = basicAuthorization(login);
  let answer: HttpAnswer;
  try {
    answer = await httpGet(realm, headers, request.http);
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    const reason = error.kind === "too-large" ? "bad-response" : error.kind;
    throw registryError(
      context,
      `failed: ${service} (${realm.host}): ${error.message}`,
      reason,
      undefined,
      error,
    );
  }

  const said = describeAnswer(answer, secretsOf(login));
  if (answer.status === 401 || answer.status === 403) {
    throw registryError(
      context,
      login
        ? `failed: ${service} refused the credentials Ferry has for ${context.registry} (${said}) — check that they are current in ${context.credentialsSource}`
        : `failed: ${service} refused an anonymous token (${said}) — give Ferry credentials for ${context.registry} in ${context.credentialsSource}`,
      "unauthorized",
      answer.status,
    );
  }
  if (answer.status !== 200) {
    throw registryError(context, `failed: ${service} answered ${said}`, "bad-response", answer.status);
  }
  let parsed: z.infer<typeof tokenAnswer> | undefined;
  try {
    parsed = tokenAnswer.safeParse(JSON.parse(answer.body.toString())).data;
  } catch {
    parsed = undefined;
  }
  const token = parsed?.token || parsed?.access_token;
  if (!token)
    throw registryError(context, `failed: ${service} answered without a token`, "bad-response", 200);
  return { token, expiresInSeconds: parsed?.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS };
}
