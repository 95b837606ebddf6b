/** Go's `strings`, `unicode` and `path` behaviour where JavaScript's differs, for Sprig's functions. */

/** Go's `unicode.IsSpace` (JavaScript's `\s` adds U+FEFF and lacks U+0085). */
const spaceClass = "\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const leadingSpace = new RegExp(`^[${spaceClass}]+`, "u");
const trailingSpace = new RegExp(`[${spaceClass}]+$`, "u");
const anySpace = new RegExp(`[${spaceClass}]`, "gu");
const oneSpace = new RegExp(`^[${spaceClass}]$`, "u");

export const trimSpace = (text: string) => text.replace(leadingSpace, "").replace(trailingSpace, "");
export const deleteSpace = (text: string) => text.replace(anySpace, "");

/** Maps each character alone, as Go's `strings.ToUpper` maps rune by rune (`ß` stays one rune). */
function mapRunes(text: string, map: (char: string) => string): string {
  let out = "";
  for (const char of text) {
    const mapped = map(char);
    out += [...mapped].length === 1 ? mapped : char;
  }
  return out;
}

export const toUpper = (text: string) => mapRunes(text, (c) => c.toUpperCase());
export const toLower = (text: string) => mapRunes(text, (c) => c.toLowerCase());

/** Go's `strings.Title`: the first letter of each word upper-cased, words split as Go splits them. */
export function title(text: string): string {
  let previous = " ";
  return mapRunes(text, (char) => {
    const separator = /^[\p{L}\p{Nd}_]$/u.test(previous)
      ? false
      : previous.charCodeAt(0) < 0x80 || oneSpace.test(previous);
    previous = char;
    return separator ? char.toUpperCase() : char;
  });
}

/** Go's `strings.Trim`: the characters of `cutset` removed from both ends. */
export function trimCutset(text: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start])) start++;
  while (end > start && cut.has(chars[end - 1])) end--;
  return chars.slice(start, end).join("");
}

/** Go's `strings.Split` (an empty separator splits into characters) and `SplitN`. */
export function split(text: string, separator: string, limit = -1): string[] {
  if (limit === 0) return [];
  const parts = separator === "" ? [...text] : text.split(separator);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

/** Go's `path.Clean`: the shortest equivalent slash path, lexically. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part !== ".." || !rooted) parts.push(part);
  }
  const joined = parts.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Go's `path.Base`: the last element, trailing slashes dropped; `.` for empty, `/` for root. */
export function basePath(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's `path.Dir`: everything but the last element, cleaned. */
export const dirPath = (path: string) => cleanPath(path.slice(0, path.lastIndexOf("/") + 1));

/** Go's `path.Ext`: the suffix from the last dot of the last element, or "". */
export function extPath(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== "/"; i--) if (path[i] === ".") return path.slice(i);
  return "";
}
