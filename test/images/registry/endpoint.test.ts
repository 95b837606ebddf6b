import { describe, expect, it } from "vitest";
import { registryOrigin, usesPlainHttp } from "../../../src/images/registry/endpoint.js";

describe("usesPlainHttp", () => {
  it.each([
    ["localhost:5000", [], true],
    ["localhost", [], true],
    ["127.0.0.1:5000", [], true],
    ["127.1.2.3", [], true],
    ["[::1]:5000", [], true],
    ["ghcr.io", [], false],
    ["localhost.example.com", [], false],
    ["registry.internal:5000", ["registry.internal:5000"], true],
    ["registry.internal:5000", ["registry.internal"], true],
    ["registry.internal:5000", ["registry.internal:5001"], false],
    ["REGISTRY.internal", ["registry.INTERNAL"], true],
  ])("%s with insecure %j → %s", (host, insecure, plain) => {
    expect(usesPlainHttp(host, insecure)).toBe(plain);
  });

  it("gives the API origin", () => {
    expect(registryOrigin("registry-1.docker.io", []).href).toBe("https://registry-1.docker.io/");
    expect(registryOrigin("localhost:5000", []).href).toBe("http://localhost:5000/");
  });
});
