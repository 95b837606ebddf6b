import type { Command, Node, Operand, Pipe, VariableOperand } from "./ast.js";
import { position, TemplateError } from "./errors.js";
import { type Keyword, keywords, lex, type Token, type TokenType } from "./lexer.js";
import { parseNumber, unquoteChar, unquoteString } from "./literals.js";

/** Parses a template as Go's `text/template/parse` does, with the same checks and messages. */
export function parse(name: string, text: string, hasFunction: (name: string) => boolean): Node[] {
  return new Parser(name, text, hasFunction).parse();
}

const operandStarts: ReadonlySet<TokenType> = new Set<TokenType>([
  "bool",
  "charConstant",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

const unsupported: ReadonlySet<TokenType> = new Set<Keyword>(["block", "define", "template"]);

/** How Go's parser names a token in "unexpected …" messages. */
function describe(token: Token): string {
  if (token.type === "eof") return "EOF";
  if (keywords.has(token.type)) return `<${token.value}>`;
  return token.value.length > 10
    ? `${JSON.stringify(token.value.slice(0, 10))}...`
    : JSON.stringify(token.value);
}

/** Where `{{else}}` or `{{end}}` closes a list. */
interface ListEnd {
  readonly kind: "end" | "else";
  readonly pos: number;
}

const isListEnd = (node: Node | ListEnd): node is ListEnd => node.kind === "end" || node.kind === "else";

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  /** The token read last, which parse errors point at. */
  private current: Token;
  /** Variables in scope; `$` always is. */
  private vars: string[] = ["$"];
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.tokens = lex(text);
    this.current = this.tokens[0];
  }

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peek().type !== "eof") {
      const node = this.textOrAction();
      if (isListEnd(node)) this.fail(`unexpected {{${node.kind}}}`, node.pos);
      list.push(node);
    }
    return list;
  }

  private fail(reason: string, at = this.current.pos): never {
    const { line, column } = position(this.text, at);
    throw new TemplateError(this.name, line, column, reason);
  }

  private next(): Token {
    this.current = this.tokens[Math.min(this.index++, this.tokens.length - 1)];
    return this.current;
  }

  private peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)];
  }

  private backup(count = 1): void {
    this.index -= count;
  }

  private nextNonSpace(): Token {
    let token = this.next();
    while (token.type === "space") token = this.next();
    return token;
  }

  private peekNonSpace(): Token {
    const start = this.index;
    const token = this.nextNonSpace();
    this.index = start;
    return token;
  }

  private expect(type: TokenType, context: string): Token {
    const token = this.nextNonSpace();
    if (token.type !== type) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Token, context: string): never {
    if (token.type === "error") this.fail(token.value, token.pos);
    this.fail(`unexpected ${describe(token)} in ${context}`, token.pos);
  }

  /** Nodes up to `{{end}}` or `{{else}}`, which it returns too. */
  private itemList(): { list: Node[]; end: ListEnd } {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== "eof") {
      const node = this.textOrAction();
      if (isListEnd(node)) return { list, end: node };
      list.push(node);
    }
    this.next();
    return this.fail("unexpected EOF", this.text.length);
  }

  private textOrAction(): Node | ListEnd {
    const token = this.nextNonSpace();
    if (token.type === "text") return { kind: "text", text: token.value };
    if (token.type === "leftDelim") return this.action(token);
    return this.unexpected(token, "input");
  }

  private action(delim: Token): Node | ListEnd {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "break":
      case "continue": {
        const close = this.nextNonSpace();
        if (close.type !== "rightDelim") this.unexpected(close, `{{${token.type}}}`);
        if (this.rangeDepth === 0) this.fail(`{{${token.type}}} outside {{range}}`, token.pos);
        return { kind: token.type, pos: delim.pos, end: close.pos + 2 };
      }
      case "else": {
        // `{{else if …}}` and `{{else with …}}` leave the keyword for the enclosing control.
        const peek = this.peekNonSpace();
        if (peek.type === "if" || peek.type === "with") return { kind: "else", pos: token.pos };
        this.expect("rightDelim", "else");
        return { kind: "else", pos: token.pos };
      }
      case "end":
        this.expect("rightDelim", "end");
        return { kind: "end", pos: token.pos };
      case "if":
      case "range":
      case "with":
        return this.control(token.type, delim.pos);
    }
    if (unsupported.has(token.type)) this.fail(`{{${token.type}}} is not supported`, token.pos);
    this.backup();
    const pipe = this.pipeline("command", "rightDelim");
    return { kind: "action", pos: delim.pos, end: this.current.pos + 2, pipe };
  }

  /** `{{if}}`, `{{range}}`, `{{with}}`: the pipeline, the list, and the else part. */
  private control(kind: "if" | "range" | "with", pos: number): Node {
    const scope = this.vars.length;
    const pipe = this.pipeline(kind, "rightDelim");
    const end = this.current.pos + 2;
    if (kind === "range") this.rangeDepth++;
    const body = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end.kind === "else") {
      // `{{else if b}}…{{end}}` is `{{else}}{{if b}}…{{end}}{{end}}`, sharing the one `{{end}}`.
      const chained = this.peekNonSpace();
      if ((kind === "if" && chained.type === "if") || (kind === "with" && chained.type === "with")) {
        this.nextNonSpace();
        elseList = [this.control(kind, body.end.pos)];
      } else {
        const rest = this.itemList();
        if (rest.end.kind !== "end") this.fail("expected end; found {{else}}", rest.end.pos);
        elseList = rest.list;
      }
    }
    this.vars = this.vars.slice(0, scope);
    return { kind, pos, end, pipe, list: body.list, elseList };
  }

  /** `declarations? command ('|' command)*`, up to `end`. */
  private pipeline(context: string, end: "rightDelim" | "rightParen"): Pipe {
    const start = this.peekNonSpace();
    const decl: VariableOperand[] = [];
    let isAssign = false;
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== "variable") break;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        isAssign = next.type === "assign";
        this.nextNonSpace();
        decl.push(this.variableOperand(variable));
        this.vars.push(variable.value);
        break;
      }
      if (next.type === "char" && next.value === ",") {
        this.nextNonSpace();
        decl.push(this.variableOperand(variable));
        this.vars.push(variable.value);
        if (context === "range" && decl.length < 2) {
          const second = this.peekNonSpace().type;
          if (second === "variable" || second === "rightDelim" || second === "rightParen") continue;
          this.fail("range can only initialize variables");
        }
        this.fail(`too many declarations in ${context}`);
      }
      // Not a declaration: the variable is the first operand.
      this.backup();
      break;
    }
    const cmds: Command[] = [];
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) break;
      if (!operandStarts.has(token.type)) this.unexpected(token, context);
      this.backup();
      cmds.push(this.command());
    }
    if (cmds.length === 0) this.fail(`missing value for ${context}`);
    // Only the first command may start with a value that is not a function or field.
    cmds.slice(1).forEach((cmd, i) => {
      if (["bool", "dot", "nil", "number", "string"].includes(cmd.args[0].kind)) {
        this.fail(`non executable command in pipeline stage ${i + 2}`, cmd.pos);
      }
    });
    const last = cmds[cmds.length - 1];
    return { pos: decl[0]?.pos ?? start.pos, end: last.end, decl, isAssign, cmds };
  }

  /** Space-separated operands, up to `|` or the end of the pipeline. */
  private command(): Command {
    const args: Operand[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const token = this.next();
      if (token.type === "space") continue;
      if (token.type === "rightDelim" || token.type === "rightParen") this.backup();
      else if (token.type !== "pipe") this.unexpected(token, "operand");
      break;
    }
    if (args.length === 0) this.fail("empty command");
    return { pos: args[0].pos, end: args[args.length - 1].end, args };
  }

  /** A term, and the fields after it (`$x.A`, `(…).A`). */
  private operand(): Operand | undefined {
    const term = this.term();
    if (!term || this.peek().type !== "field") return term;
    const fields: string[] = [];
    let end = term.end;
    while (this.peek().type === "field") {
      const field = this.next();
      fields.push(field.value.slice(1));
      end = field.pos + field.value.length;
    }
    switch (term.kind) {
      case "field":
        return { ...term, fields: [...term.fields, ...fields], end };
      case "variable":
        return { ...term, fields: [...term.fields, ...fields], end };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        return this.fail(`unexpected . after term ${JSON.stringify(this.text.slice(term.pos, term.end))}`);
      default:
        return { kind: "chain", pos: term.pos, end, node: term, fields };
    }
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace();
    const pos = token.pos;
    const end = token.pos + token.value.length;
    switch (token.type) {
      case "identifier":
        if (!this.hasFunction(token.value)) this.fail(`function ${JSON.stringify(token.value)} not defined`);
        return { kind: "identifier", pos, end, name: token.value };
      case "dot":
      case "nil":
        return { kind: token.type, pos, end };
      case "variable":
        if (!this.vars.includes(token.value)) this.fail(`undefined variable ${JSON.stringify(token.value)}`);
        return this.variableOperand(token);
      case "field":
        return { kind: "field", pos, end, fields: [token.value.slice(1)] };
      case "bool":
        return { kind: "bool", pos, end, value: token.value === "true" };
      case "charConstant": {
        const code = unquoteChar(token.value);
        if (code === undefined) this.fail("invalid syntax");
        return {
          kind: "number",
          pos,
          end,
          text: token.value,
          int: BigInt(code),
          float: code,
          floatSyntax: false,
        };
      }
      case "number": {
        const number = parseNumber(token.value);
        if (typeof number === "string") this.fail(number);
        return { kind: "number", pos, end, text: token.value, ...number };
      }
      case "leftParen": {
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        return { kind: "pipe", pos, end: this.current.pos + 1, pipe };
      }
      case "string":
      case "rawString": {
        const value = unquoteString(token.value);
        if (value === undefined) this.fail("invalid syntax");
        return { kind: "string", pos, end, value };
      }
    }
    this.backup();
    return undefined;
  }

  private variableOperand(token: Token): VariableOperand {
    return {
      kind: "variable",
      pos: token.pos,
      end: token.pos + token.value.length,
      name: token.value,
      fields: [],
    };
  }
}
