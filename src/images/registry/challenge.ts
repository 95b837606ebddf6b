/**
 * `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` from
 * registries with a token service, `Basic realm="…"` from the others. One header may carry several
 * challenges, and a response several headers.
 */

export interface Challenge {
  /** Lowercase: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lowercase; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const SPACE = /[ \t]*/y;
/** Unquoted values should be tokens; read up to the next comma so an unquoted URL survives. */
const BARE_VALUE = /[^,\s]*/y;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).flatMap(parseOne);
}

function parseOne(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let at = 0;
  const match = (pattern: RegExp): string => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0] ?? "";
    at += found.length;
    return found;
  };
  while (at < text.length) {
    if (text[at] === "," || text[at] === " " || text[at] === "\t") {
      at++;
      continue;
    }
    const token = match(TOKEN);
    if (!token) break; // not a challenge header Ferry can read; keep what was read
    match(SPACE);
    const current = challenges.at(-1);
    if (text[at] !== "=" || !current) {
      challenges.push({ scheme: token.toLowerCase(), params: {} });
      continue;
    }
    at++;
    match(SPACE);
    current.params[token.toLowerCase()] = text[at] === '"' ? quoted() : match(BARE_VALUE);
  }
  return challenges;

  function quoted(): string {
    let value = "";
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === "\\") at++;
      value += text[at] ?? "";
      at++;
    }
    at++;
    return value;
  }
}
