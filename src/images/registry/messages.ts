/**
 * The wording of registry errors: each starts with what was being done (`listing tags of <image>`,
 * `pulling <image>:<tag>`) and, where there is one, ends with what to fix. What a registry says about an error is quoted from its body, with
 * any secret the request carried taken out.
 */
import { z } from "zod";
import { RegistryError, type RegistryErrorReason } from "./errors.js";
import type { HttpAnswer } from "./http.js";

/** The exchange a message is about. */
export interface ExchangeContext {
  /** `ghcr.io/acme/app` */
  image: string;
  /** What was being done, the message's start: `listing tags of ghcr.io/acme/app`. */
  activity: string;
  /** `ghcr.io` */
  registry: string;
  /** Where this client's registry logins come from, for advice: `the operator file`, `docker login`. */
  credentialsSource: string;
}

const MAX_QUOTE = 300;

/** The distribution spec's error body: `{"errors":[{"code":"DENIED","message":"…"}]}`. */
const errorBody = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })),
});

export function registryError(
  context: ExchangeContext,
  detail: string,
  reason: RegistryErrorReason,
  status?: number,
  cause?: unknown,
): RegistryError {
  return new RegistryError(
    `${context.activity} ${detail}`,
    reason,
    context.image,
    status,
    cause === undefined ? undefined : { cause },
  );
}

/** `HTTP 403: DENIED: requested access to the resource is denied`, or `HTTP 403` alone. */
export function describeAnswer(answer: HttpAnswer, secrets: readonly string[]): string {
  const said = registrySays(answer.body.toString());
  if (!said) return `HTTP ${answer.status}`;
  const clean = secrets.reduce(
    (text, secret) => (secret ? text.replaceAll(secret, "[redacted]") : text),
    said,
  );
  return `HTTP ${answer.status}: ${clean.length > MAX_QUOTE ? `${clean.slice(0, MAX_QUOTE)}…` : clean}`;
}

function registrySays(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const errors = errorBody.safeParse(parsed).data?.errors ?? [];
  const lines = errors
    .map((error) => [error.code, error.message].filter(Boolean).join(": "))
    .filter((line) => line !== "");
  return lines.length > 0 ? lines.join("; ") : undefined;
}
