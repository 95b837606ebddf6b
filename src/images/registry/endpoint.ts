/**
 * Which scheme a registry is spoken to with: HTTPS, except for loopback hosts and the hosts the
 * caller marks insecure, as Docker does.
 */
import { canonicalRegistry } from "./reference.js";

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether `host` (`registry.local:5000`) is spoken to over plain HTTP. An insecure entry with a
 * port matches that port only; one without matches every port of the host.
 */
export function usesPlainHttp(host: string, insecureRegistries: readonly string[]): boolean {
  const canonical = canonicalRegistry(host);
  const hostname = hostnameOf(canonical);
  if (LOOPBACK.test(hostname)) return true;
  return insecureRegistries.some((entry) => {
    const wanted = canonicalRegistry(entry);
    return wanted === canonical || wanted === hostname;
  });
}

/** The origin the registry's API answers at: `https://ghcr.io`, `http://localhost:5000`. */
export function registryOrigin(host: string, insecureRegistries: readonly string[]): URL {
  return new URL(`${usesPlainHttp(host, insecureRegistries) ? "http" : "https"}://${host}`);
}

function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}
