/** Fault injection: make chosen requests fail with a status, or answer late. */
import { ApiError } from "./errors.js";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface RequestTarget {
  verb: Verb;
  /** Plural resource name, with `/status` for the subresource. */
  resource: string;
  namespace?: string;
  name?: string;
}

export interface FaultRule {
  verb?: Verb;
  resource?: string;
  namespace?: string;
  name?: string;
  /** The first matching request this rule acts on, counting from 1. Default 1. */
  nth?: number;
  /** How many matching requests it acts on from the nth. Default 1 for errors, every one for latency only. */
  times?: number;
  /** Answer with this HTTP status and a `Status` body. */
  status?: number;
  reason?: string;
  message?: string;
  /** Answer this many milliseconds late. */
  delayMs?: number;
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  410: "Expired",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

interface ActiveRule extends FaultRule {
  seen: number;
}

export class Faults {
  private readonly rules: ActiveRule[] = [];

  /** Adds a rule; the returned function removes it. */
  add(rule: FaultRule): () => void {
    const active = { ...rule, seen: 0 };
    this.rules.push(active);
    return () => {
      const i = this.rules.indexOf(active);
      if (i >= 0) this.rules.splice(i, 1);
    };
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** What to do with this request: a delay to wait first, and an error to answer with. */
  check(target: RequestTarget): { delayMs: number; error?: ApiError } {
    let delayMs = 0;
    let error: ApiError | undefined;
    for (const rule of this.rules) {
      if (!matches(rule, target)) continue;
      rule.seen++;
      const first = rule.nth ?? 1;
      const times = rule.times ?? (rule.status === undefined ? Number.POSITIVE_INFINITY : 1);
      if (rule.seen < first || rule.seen >= first + times) continue;
      delayMs += rule.delayMs ?? 0;
      if (rule.status !== undefined && !error) {
        const reason = rule.reason ?? REASONS[rule.status] ?? "InternalError";
        error = new ApiError(
          rule.status,
          reason,
          rule.message ?? `injected fault: ${target.verb} ${target.resource}`,
        );
      }
    }
    return { delayMs, error };
  }
}

function matches(rule: FaultRule, target: RequestTarget): boolean {
  return (
    (rule.verb === undefined || rule.verb === target.verb) &&
    (rule.resource === undefined || rule.resource === target.resource) &&
    (rule.namespace === undefined || rule.namespace === target.namespace) &&
    (rule.name === undefined || rule.name === target.name)
  );
}
