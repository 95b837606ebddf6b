/** Kubernetes `Status` errors, with the reasons, codes and messages the real API server sends. */

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error a handler throws; the server turns it into the `Status` response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps`, or `configmaps` for the core group. */
export function qualifiedResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (plural: string, group: string, name: string) =>
  new ApiError(404, "NotFound", `${qualifiedResource(plural, group)} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: plural,
  });

export const alreadyExists = (plural: string, group: string, name: string) =>
  new ApiError(409, "AlreadyExists", `${qualifiedResource(plural, group)} "${name}" already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: plural,
  });

export const staleResourceVersion = (plural: string, group: string, name: string) =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(group ? { group } : {}), kind: plural },
  );

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const invalid = (kind: string, group: string, name: string, message: string, causes: StatusCause[]) =>
  new ApiError(422, "Invalid", message, { name, ...(group ? { group } : {}), kind, causes });

export const methodNotAllowed = (
  message = "the server does not allow this method on the requested resource",
) => new ApiError(405, "MethodNotAllowed", message);

export const unauthorized = () => new ApiError(401, "Unauthorized", "Unauthorized");

export const pathNotFound = () =>
  new ApiError(404, "NotFound", "the server could not find the requested resource");

export const unsupportedMediaType = (contentType: string) =>
  new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );

export const expired = (message: string) => new ApiError(410, "Expired", message);
