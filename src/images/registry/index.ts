export {
  type ListTagsOptions,
  RegistryClient,
  type RegistryClientOptions,
  type TagLister,
} from "./client.js";
export type { CredentialLookup, RegistryLogin } from "./credentials.js";
export { dockerConfigLogins } from "./docker-config.js";
export { DockerConfigError, ImageReferenceError, RegistryError, type RegistryErrorReason } from "./errors.js";
export { type PublishedImage, parsePackageEvent } from "./event.js";
export {
  type Descriptor,
  type ImageManifest,
  isSha256Digest,
  MANIFEST_ACCEPT,
  parseManifest,
  sha256Digest,
} from "./manifest.js";
export { canonicalRegistry, type ImageReference, parseImageReference } from "./reference.js";
