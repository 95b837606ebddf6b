/**
 * Image references as Docker reads them (`nginx`, `acme/app:1.2`, `ghcr.io/acme/app@sha256:…`,
 * `localhost:5000/app`): the grammar of distribution/reference, with Docker Hub's defaults filled
 * in. An ImageRepository's `spec.image` and a container's `image:` both parse here.
 */
import { ImageReferenceError } from "./errors.js";

export interface ImageReference {
  /** The registry as people name it, lowercase: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** Where its API answers: `registry-1.docker.io` for Docker Hub, `registry` otherwise. */
  host: string;
  /** The repository in that registry: `library/nginx`, `acme/app`. */
  repository: string;
  /** `registry/repository`, the image without tag or digest: the key to compare images by. */
  name: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_API = "registry-1.docker.io";
/** Names Docker Hub goes by, in references and in Docker config files. */
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, "index.docker.io", DOCKER_HUB_API]);

const HOST_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/** The registry's canonical name: lowercase, Docker Hub's aliases as `docker.io`. */
export function canonicalRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/** Parses an image reference; throws ImageReferenceError saying what is wrong. */
export function parseImageReference(text: string): ImageReference {
  const fail = (why: string) =>
    new ImageReferenceError(`invalid image reference ${JSON.stringify(text)}: ${why}`);
  if (text.trim() === "") throw fail("it is empty");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw fail("write the image without a URL scheme, as registry/repository (ghcr.io/acme/app)");
  }

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw fail(`${JSON.stringify(digest)} is not a digest (sha256:<64 hex digits>)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw fail(
        `${JSON.stringify(tag)} is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)`,
      );
    }
  }

  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  // Docker's rule: the first component is a registry when it looks like a host.
  const hasDomain = first.includes(".") || first.includes(":") || first === "localhost";
  let registry = DOCKER_HUB;
  let path = rest;
  if (hasDomain) {
    if (!DOMAIN.test(first)) throw fail(`${JSON.stringify(first)} is not a registry host[:port]`);
    registry = canonicalRegistry(first);
    path = rest.slice(slash + 1);
  }

  const components = path.split("/");
  for (const component of components) {
    if (component === "") throw fail("the repository has an empty path component");
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      throw fail(`repository names must be lowercase (${JSON.stringify(path.toLowerCase())})`);
    }
    throw fail(
      `${JSON.stringify(component)} may hold only lowercase letters, digits and the separators . _ __ -`,
    );
  }
  const repository = registry === DOCKER_HUB && components.length === 1 ? `library/${path}` : path;
  const name = `${registry}/${repository}`;
  if (name.length > NAME_MAX) throw fail(`the name is longer than ${NAME_MAX} characters`);

  return {
    registry,
    host: registry === DOCKER_HUB ? DOCKER_HUB_API : registry,
    repository,
    name,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}
