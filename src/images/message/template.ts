/**
 * Go text/template, as Flux runs commit message templates: Go's syntax and built-in functions with
 * Sprig's hermetic ones (`sprig.HermeticTxtFuncMap`), executed on Go-shaped values (`values.ts`).
 *
 * Left out: `{{define}}`, `{{template}}` and `{{block}}` (one template only), the `call` function,
 * complex numbers, and Go's `missingkey` option (a missing map key is always `<no value>`).
 */
import type { Node } from "./ast.js";
import { builtins } from "./builtins.js";
import { defaultLimits, execute, type Limits } from "./exec.js";
import type { FunctionMap, GoFunction } from "./functions.js";
import { parse } from "./parser.js";
import { sprig } from "./sprig.js";
import type { Value } from "./values.js";

/** Go's built-ins, then Sprig's, which win where both have a name (`slice`), as in Go. */
export const templateFunctions: FunctionMap = new Map<string, GoFunction>([...builtins, ...sprig]);

export interface TemplateOptions {
  /** The name errors give the template; Flux's is `commit message`. */
  readonly name?: string;
  readonly functions?: FunctionMap;
  readonly limits?: Limits;
}

export class Template {
  private constructor(
    readonly name: string,
    readonly text: string,
    private readonly nodes: readonly Node[],
    private readonly functions: FunctionMap,
    private readonly limits: Limits,
  ) {}

  /** Parses a template; throws a TemplateError that says where and why it is not valid. */
  static parse(text: string, options: TemplateOptions = {}): Template {
    const name = options.name ?? "template";
    const functions = options.functions ?? templateFunctions;
    const nodes = parse(name, text, (fn) => functions.has(fn));
    return new Template(name, text, nodes, functions, options.limits ?? defaultLimits);
  }

  /** The template's output for `data`; throws a TemplateError when it cannot run to the end. */
  execute(data: Value): string {
    return execute(this.name, this.text, this.nodes, data, this.functions, this.limits);
  }
}

export function renderTemplate(text: string, data: Value, options: TemplateOptions = {}): string {
  return Template.parse(text, options).execute(data);
}
