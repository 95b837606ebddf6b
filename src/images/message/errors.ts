/**
 * A template that cannot be parsed or run. The message reads like Go's, with the place it applies
 * to: `template: commit message:3:14: function "foo" not defined`, or for a failure while running,
 * `template: commit message:3:14: executing "commit message" at <.Foo>: can't evaluate field Foo in
 * type source.TemplateData`. Unlike Go, which gives parse errors a line only and counts columns in
 * bytes from 0, both kinds give line and column counted from 1 in characters, as editors do.
 */
export class TemplateError extends Error {
  override readonly name = "TemplateError";

  constructor(
    /** The template's name (`commit message`). */
    readonly template: string,
    readonly line: number,
    readonly column: number,
    /** What is wrong, without the place: `function "foo" not defined`. */
    readonly reason: string,
    /** For a failure while running: the text of the action part that failed (`.Foo`). */
    readonly action?: string,
  ) {
    const where = `template: ${template}:${line}:${column}:`;
    super(
      action === undefined
        ? `${where} ${reason}`
        : `${where} executing ${JSON.stringify(template)} at <${action}>: ${reason}`,
    );
  }
}

/** Line and column, from 1, of an offset in a text. */
export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}
