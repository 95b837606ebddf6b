import { SopsError } from "./errors.js";

/**
 * Which values of a tree SOPS encrypted: the one crypt rule of the file's metadata
 * (`Tree.shouldBeEncrypted` in sops.go). With no rule the default is `unencrypted_suffix: _unencrypted`.
 */
export interface CryptRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: RegExp;
  encryptedRegex?: RegExp;
  unencryptedCommentRegex?: RegExp;
  encryptedCommentRegex?: RegExp;
}

/** Go RE2 → JavaScript: leading `(?flags)` become JavaScript flags, `\A` and `\z` anchors. */
export function goRegExp(source: string, field: string, file?: string): RegExp {
  let pattern = source;
  let flags = "u";
  const inline = /^\(\?([imsU]+)\)/.exec(pattern);
  if (inline?.[1]) {
    pattern = pattern.slice(inline[0].length);
    for (const flag of inline[1]) if (flag !== "U" && !flags.includes(flag)) flags += flag;
  }
  pattern = pattern.replaceAll("\\A", "^").replaceAll("\\z", "$");
  try {
    return new RegExp(pattern, flags);
  } catch {
    try {
      return new RegExp(pattern, flags.replace("u", ""));
    } catch {
      throw new SopsError(`the SOPS metadata field ${field} is not a valid regular expression`, file);
    }
  }
}

/** `shouldBeEncrypted(path, commentsStack, isComment)`, rule for rule as SOPS applies them. */
export function shouldBeEncrypted(
  rules: CryptRules,
  path: readonly string[],
  commentsStack: readonly (readonly string[])[],
  isComment: boolean,
): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix) {
    const suffix = rules.unencryptedSuffix;
    if (path.some((key) => key.endsWith(suffix))) encrypted = false;
  }
  if (rules.encryptedSuffix) {
    const suffix = rules.encryptedSuffix;
    encrypted = path.some((key) => key.endsWith(suffix));
  }
  if (rules.unencryptedRegex) {
    const regex = rules.unencryptedRegex;
    if (path.some((key) => regex.test(key))) encrypted = false;
  }
  if (rules.encryptedRegex) {
    const regex = rules.encryptedRegex;
    encrypted = path.some((key) => regex.test(key));
  }
  if (rules.unencryptedCommentRegex) {
    const regex = rules.unencryptedCommentRegex;
    if (commentsStack.some((level) => level.some((comment) => regex.test(comment)))) encrypted = false;
  }
  if (rules.encryptedCommentRegex) {
    const regex = rules.encryptedCommentRegex;
    const lastLevel = commentsStack.length - 1;
    const lastComment = (commentsStack[lastLevel]?.length ?? 0) - 1;
    encrypted = commentsStack.some((level, i) =>
      // The comment line that matches is itself left in clear text.
      level.some((comment, j) => !(isComment && i === lastLevel && j === lastComment) && regex.test(comment)),
    );
  }
  return encrypted;
}
