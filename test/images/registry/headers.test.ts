// The two headers the registry protocol hangs on: WWW-Authenticate challenges and Link pages.
import { describe, expect, it } from "vitest";
import { parseChallenges } from "../../../src/images/registry/challenge.js";
import { nextPageUrl } from "../../../src/images/registry/link.js";

describe("parseChallenges", () => {
  it("reads Docker Hub's Bearer challenge", () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/nginx:pull",
        },
      },
    ]);
  });

  it("reads several challenges, unquoted values, escapes and commas inside quotes", () => {
    expect(
      parseChallenges([
        'Basic realm="Registry \\"main\\"", Bearer realm=https://r.example.com/token, scope="repository:a:pull,push"',
        "Negotiate",
      ]),
    ).toEqual([
      { scheme: "basic", params: { realm: 'Registry "main"' } },
      { scheme: "bearer", params: { realm: "https://r.example.com/token", scope: "repository:a:pull,push" } },
      { scheme: "negotiate", params: {} },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe("nextPageUrl", () => {
  const page = new URL("https://ghcr.io/v2/acme/app/tags/list?n=2");

  it("resolves a relative next link against the page", () => {
    expect(nextPageUrl('</v2/acme/app/tags/list?n=2&last=b>; rel="next"', page)?.href).toBe(
      "https://ghcr.io/v2/acme/app/tags/list?n=2&last=b",
    );
  });

  it("takes an absolute link, rel among others, and skips other relations", () => {
    expect(
      nextPageUrl(
        '<https://ghcr.io/v2/first>; rel="first", <https://ghcr.io/v2/acme/app/tags/list?last=c>; rel="prev next"',
        page,
      )?.href,
    ).toBe("https://ghcr.io/v2/acme/app/tags/list?last=c");
    expect(nextPageUrl(["<https://ghcr.io/v2/x>; rel=prev", "</v2/y>; rel=next"], page)?.href).toBe(
      "https://ghcr.io/v2/y",
    );
  });

  it("finds no next page without one", () => {
    expect(nextPageUrl(undefined, page)).toBeUndefined();
    expect(nextPageUrl('</v2/acme/app/tags/list?last=a>; rel="prev"', page)).toBeUndefined();
  });
});
