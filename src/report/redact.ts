/**
 * Secret values out of everything Ferry reports. The result model holds no object data, but a
 * message from the API server, kustomize or SOPS can echo a value; given the values the run knew
 * (decrypted SOPS data, Secret `data` and `stringData`), every form of them is masked as `***`.
 */

export const MASK = "***";
/** Shortest line of a multi-line value masked on its own. */
const MIN_LINE = 4;

/**
 * The forms a secret value can take in a message: as given, trimmed (files often end in a
 * newline), base64 (padded, unpadded, URL-safe), JSON-escaped, each line of four characters or
 * more of a multi-line value, and, when the
 * value is itself base64 of text (a Secret's `data`), the decoded text and its forms.
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>();
  const addText = (text: string) => {
    for (const variant of new Set([text, text.trim()])) {
      if (!variant) continue;
      forms.add(variant);
      forms.add(JSON.stringify(variant).slice(1, -1));
      const base64 = Buffer.from(variant, "utf8").toString("base64");
      forms.add(base64);
      forms.add(base64.replace(/=+$/, ""));
      forms.add(Buffer.from(variant, "utf8").toString("base64url"));
    }
    // Lines of a multi-line value (a key, a config file), when long enough not to mask every `}`.
    const lines = text.split(/\r?\n/).map((l) => l.trim());
    if (lines.length > 1) for (const line of lines) if (line.length >= MIN_LINE) forms.add(line);
  };
  addText(value);
  const decoded = decodedText(value.trim());
  if (decoded) addText(decoded);
  return [...forms].filter((f) => f.length > 0);
}

/** The text `value` is the base64 of, when it is valid base64 of printable UTF-8. */
function decodedText(value: string): string | undefined {
  if (value.length < 4 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.toString("base64") !== value) return undefined;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * A function masking every form of every value in `secrets`, longest first, so a value that
 * contains another is masked whole. Empty values are ignored; with none left it returns its input.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, MASK);
}

/** `text` with every form of every value in `secrets` masked as `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactor(secrets)(text);
}

/** A copy of `value` (plain data: objects, arrays, strings) with `mask` applied to every string. */
export function redactDeep<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, mask)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, mask)])) as T;
  }
  return value;
}
