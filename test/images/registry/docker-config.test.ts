import { describe, expect, it } from "vitest";
import { DockerConfigError, dockerConfigLogins } from "../../../src/images/registry/index.js";

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("dockerConfigLogins", () => {
  it("reads auth (base64 username:password) and username/password entries, by canonical registry", async () => {
    const lookup = dockerConfigLogins(
      JSON.stringify({
        auths: {
          "ghcr.io": { auth: base64("ferry-bot:ghp_token:with:colons") },
          "https://index.docker.io/v1/": { auth: base64("hub-user:hub-pass"), email: "x@example.com" },
          "registry.example.com:5000": { username: "alice", password: "pw" },
          "quay.io": { identitytoken: "refresh-token" },
        },
        credsStore: "desktop",
      }),
    );
    expect(await lookup("ghcr.io")).toEqual({ username: "ferry-bot", password: "ghp_token:with:colons" });
    expect(await lookup("docker.io")).toEqual({ username: "hub-user", password: "hub-pass" });
    expect(await lookup("registry-1.docker.io")).toEqual({ username: "hub-user", password: "hub-pass" });
    expect(await lookup("registry.example.com:5000")).toEqual({ username: "alice", password: "pw" });
    expect(await lookup("quay.io")).toBeUndefined();
    expect(await lookup("gcr.io")).toBeUndefined();
  });

  it("takes parsed JSON, and a config without auths", async () => {
    expect(await dockerConfigLogins({ auths: { "GHCR.IO": { auth: base64("u:p") } } })("ghcr.io")).toEqual({
      username: "u",
      password: "p",
    });
    expect(await dockerConfigLogins({ credsStore: "osxkeychain" })("ghcr.io")).toBeUndefined();
  });

  it.each([
    ['{"auths": {"ghcr.io": {"auth": "s3cret', "Secret flux-system/ghcr-auth is not valid JSON"],
    [
      JSON.stringify({ auths: { "ghcr.io": { auth: base64("no-colon-s3cret") } } }),
      'Secret flux-system/ghcr-auth: auths["ghcr.io"].auth is not base64 of username:password',
    ],
    [
      JSON.stringify({ auths: { "ghcr.io": { auth: "s3cret!!" } } }),
      'Secret flux-system/ghcr-auth: auths["ghcr.io"].auth is not base64 of username:password',
    ],
    [
      JSON.stringify({ auths: ["s3cret"] }),
      "Secret flux-system/ghcr-auth is not a Docker config: auths has the wrong type",
    ],
    [JSON.stringify({ auths: { "ghcr.io": { password: 7 } } }), "auths.ghcr.io.password has the wrong type"],
    ["[]", "Secret flux-system/ghcr-auth is not a Docker config: the top level has the wrong type"],
  ])("refuses %s without quoting it", (text, message) => {
    let error: unknown;
    try {
      dockerConfigLogins(text, "Secret flux-system/ghcr-auth");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DockerConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("s3cret");
  });
});
