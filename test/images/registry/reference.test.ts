import { describe, expect, it } from "vitest";
import {
  canonicalRegistry,
  ImageReferenceError,
  parseImageReference,
} from "../../../src/images/registry/index.js";

const DIGEST = `sha256:${"a1".repeat(32)}`;

describe("parseImageReference", () => {
  it.each([
    ["nginx", "docker.io", "registry-1.docker.io", "library/nginx", undefined, undefined],
    ["nginx:1.27", "docker.io", "registry-1.docker.io", "library/nginx", "1.27", undefined],
    ["acme/app", "docker.io", "registry-1.docker.io", "acme/app", undefined, undefined],
    ["docker.io/nginx", "docker.io", "registry-1.docker.io", "library/nginx", undefined, undefined],
    ["index.docker.io/acme/app:v2", "docker.io", "registry-1.docker.io", "acme/app", "v2", undefined],
    ["ghcr.io/acme/app", "ghcr.io", "ghcr.io", "acme/app", undefined, undefined],
    ["GHCR.io/acme/app:V1.0", "ghcr.io", "ghcr.io", "acme/app", "V1.0", undefined],
    ["ghcr.io/acme/app/sub:1.0.0", "ghcr.io", "ghcr.io", "acme/app/sub", "1.0.0", undefined],
    ["localhost:5000/app", "localhost:5000", "localhost:5000", "app", undefined, undefined],
    ["localhost/app:dev", "localhost", "localhost", "app", "dev", undefined],
    [
      "registry.example.com:8443/a/b/c",
      "registry.example.com:8443",
      "registry.example.com:8443",
      "a/b/c",
      undefined,
      undefined,
    ],
    ["127.0.0.1:5000/team/app:latest", "127.0.0.1:5000", "127.0.0.1:5000", "team/app", "latest", undefined],
    ["[::1]:5000/app", "[::1]:5000", "[::1]:5000", "app", undefined, undefined],
    [`ghcr.io/acme/app@${DIGEST}`, "ghcr.io", "ghcr.io", "acme/app", undefined, DIGEST],
    [`ghcr.io/acme/app:1.2.3@${DIGEST}`, "ghcr.io", "ghcr.io", "acme/app", "1.2.3", DIGEST],
    ["acme/my_app__x-y.z", "docker.io", "registry-1.docker.io", "acme/my_app__x-y.z", undefined, undefined],
  ])("%s", (text, registry, host, repository, tag, digest) => {
    const ref = parseImageReference(text);
    expect(ref).toEqual({
      registry,
      host,
      repository,
      name: `${registry}/${repository}`,
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
    });
  });

  it.each([
    ["", "it is empty"],
    ["   ", "it is empty"],
    ["Acme/App", 'repository names must be lowercase ("acme/app")'],
    ["ghcr.io/Acme/app:1.0", 'repository names must be lowercase ("acme/app")'],
    ["ghcr.io//app", "empty path component"],
    ["ghcr.io/acme/", "empty path component"],
    ["/app", "empty path component"],
    ["ghcr.io/acme/app:", '"" is not a tag'],
    ["ghcr.io/acme/app:-bad", '"-bad" is not a tag'],
    [`ghcr.io/acme/app:${"x".repeat(129)}`, "is not a tag"],
    ["ghcr.io/acme/app@sha256:abc", '"sha256:abc" is not a digest'],
    ["ghcr.io/acme/a$b", '"a$b" may hold only lowercase letters, digits and the separators . _ __ -'],
    ["ghcr.io/acme/-app", "may hold only lowercase letters"],
    ["https://ghcr.io/acme/app", "without a URL scheme"],
    ["bad_host.io/acme/app", '"bad_host.io" is not a registry host[:port]'],
    [`ghcr.io/${"a".repeat(250)}`, "longer than 255 characters"],
  ])("refuses %j", (text, why) => {
    let error: unknown;
    try {
      parseImageReference(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageReferenceError);
    expect((error as Error).message).toContain(`invalid image reference ${JSON.stringify(text)}: `);
    expect((error as Error).message).toContain(why);
  });
});

describe("canonicalRegistry", () => {
  it.each([
    ["docker.io", "docker.io"],
    ["index.docker.io", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["GHCR.IO", "ghcr.io"],
    ["registry.example.com:5000", "registry.example.com:5000"],
  ])("%s → %s", (host, canonical) => {
    expect(canonicalRegistry(host)).toBe(canonical);
  });
});
