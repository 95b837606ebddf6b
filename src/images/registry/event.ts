/**
 * The image a GitHub package webhook announces: `registry_package` (what a GitHub App receives)
 * or `package` (repository and organization webhooks), action `published`. Container packages
 * carry the tag and digest in `package_version.container_metadata.tag` and the pull reference in
 * `package_version.package_url` (`ghcr.io/acme/app:1.2.3`; `ghcr.io/acme/app:` when untagged).
 * Untagged versions (the per-platform manifests of a multi-platform push) and other package types
 * (npm, maven, …) announce nothing.
 */
import { z } from "zod";
import { ImageReferenceError } from "./errors.js";
import { parseImageReference } from "./reference.js";

export interface PublishedImage {
  /** `ghcr.io/acme/app`, lowercase: the `name` of parseImageReference(ImageRepository `spec.image`). */
  image: string;
  tag: string;
  /** The manifest (or index) digest the tag points to: `sha256:…`. */
  digest?: string;
}

const packageSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().nullish(),
  package_type: z.string(),
  package_version: z
    .looseObject({
      package_url: z.string().nullish(),
      container_metadata: z
        .looseObject({
          tag: z.looseObject({ name: z.string().nullish(), digest: z.string().nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

const payloadSchema = z.looseObject({
  action: z.string(),
  package: packageSchema.optional(),
  registry_package: packageSchema.optional(),
});

const EVENTS = ["registry_package", "package"] as const;
type PackageEventName = (typeof EVENTS)[number];

/**
 * The image, tag and digest a `registry_package` or `package` delivery announces, or undefined
 * when it announces none; then `ignored` hears why (`untagged version of ghcr.io/acme/app`).
 */
export function parsePackageEvent(
  event: string,
  payload: unknown,
  ignored: (reason: string) => void = () => {},
): PublishedImage | undefined {
  const skip = (reason: string) => {
    ignored(reason);
    return undefined;
  };
  if (!EVENTS.includes(event as PackageEventName)) return skip(`${event} is not a package event`);
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return skip(`malformed ${event} payload: ${issueText(parsed.error)}`);
  const { action } = parsed.data;
  const pkg = parsed.data[event as PackageEventName];
  if (!pkg) return skip(`malformed ${event} payload: no "${event}" object`);
  if (action !== "published") return skip(`${event} action "${action}", not "published"`);
  if (pkg.package_type.toLowerCase() !== "container") {
    return skip(`${pkg.name} is a package of type ${pkg.package_type}, not a container image`);
  }

  const version = pkg.package_version;
  // package_url is the pull reference as GitHub serves it; namespace/name the fallback.
  const location = version?.package_url?.replace(/:$/, "") || `ghcr.io/${pkg.namespace ?? ""}/${pkg.name}`;
  let image: string;
  try {
    image = parseImageReference(location.toLowerCase()).name;
  } catch (error) {
    if (error instanceof ImageReferenceError) return skip(`${event}: ${error.message}`);
    throw error;
  }

  const tag = version?.container_metadata?.tag?.name ?? "";
  if (tag === "") return skip(`untagged version of ${image} (a per-platform manifest or a push by digest)`);
  const digest = version?.container_metadata?.tag?.digest || undefined;
  try {
    parseImageReference(`${image}:${tag}${digest ? `@${digest}` : ""}`);
  } catch (error) {
    if (error instanceof ImageReferenceError) return skip(`${event}: ${error.message}`);
    throw error;
  }
  return { image, tag, ...(digest ? { digest } : {}) };
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "payload"}: ${issue.message}` : "invalid";
}
