/**
 * The next page of a paginated listing, from the `Link` header (RFC 8288) the distribution spec
 * uses: `</v2/acme/app/tags/list?n=100&last=v1.9>; rel="next"`. The target may be relative.
 */

const LINK = /<([^>]*)>([^<]*)/g;
const REL = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i;

/** The `rel="next"` target resolved against the page's URL, or undefined when there is none. */
export function nextPageUrl(header: string | string[] | undefined, page: URL): URL | undefined {
  if (header === undefined) return undefined;
  for (const value of Array.isArray(header) ? header : [header]) {
    for (const [, target, params] of value.matchAll(LINK)) {
      const rel = REL.exec(params);
      const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
      if (relations.includes("next")) return new URL(target, page);
    }
  }
  return undefined;
}
