/**
 * URLs of a `type: default` HelmRepository: where its index is, where an entry's archive is (Helm's
 * `repo.ResolveReferenceURL`), and how a URL is shown in messages (without a user or password).
 */
import { ChartSourceError } from "./errors.js";

/** The repository URL parsed; throws a ChartSourceError when it is not an http(s) URL. */
export function parseRepositoryUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ChartSourceError(
      `the HelmRepository URL ${JSON.stringify(redactText(text))} is not a URL; set spec.url to https://…`,
      "bad-entry",
      redactText(text),
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ChartSourceError(
      `the HelmRepository URL ${displayUrl(url)} is not http(s); an oci:// repository needs spec.type: oci`,
      "bad-entry",
      displayUrl(url),
    );
  }
  return url;
}

/** `<url>/index.yaml`, the query kept (Flux joins the path). */
export function indexUrl(repository: URL): URL {
  const url = new URL(repository);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/index.yaml`;
  return url;
}

/**
 * An entry's URL: an absolute one as it is, a relative one against the repository URL treated as a
 * folder, carrying the repository URL's query (as Helm does).
 */
export function chartUrl(repository: URL, reference: string): URL {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(reference)) return new URL(reference);
  const base = new URL(repository);
  base.pathname = `${base.pathname.replace(/\/+$/, "")}/`;
  const resolved = new URL(reference, base);
  resolved.search = base.search;
  return resolved;
}

/** Whether a request to `url` may carry the repository's login (Helm: same scheme and host). */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/** The URL for messages: without user and password, and the query (which may hold a token) elided. */
export function displayUrl(url: URL): string {
  if (url.username === "" && url.password === "" && url.search === "") return url.href;
  const shown = new URL(url);
  shown.username = "";
  shown.password = "";
  shown.search = "";
  return url.search === "" ? shown.href : `${shown.href}?…`;
}

function redactText(text: string): string {
  return text.replace(/\/\/[^/@]*@/, "//");
}
