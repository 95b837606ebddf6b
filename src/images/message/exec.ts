/**
 * Runs a parsed template over Go-shaped data, as Go's `text/template` executes: dot, variables and
 * their scopes, fields and niladic methods, pipelines passing their value as the last argument,
 * Go's argument type checks, `range` over slices, maps (sorted keys) and integers, and Go's error
 * messages.
 */
import type {
  BranchNode,
  ChainOperand,
  Command,
  IdentifierOperand,
  Node,
  NumberOperand,
  Operand,
  Pipe,
  Span,
} from "./ast.js";
import { position, TemplateError } from "./errors.js";
import { sprintValue } from "./format.js";
import type { FunctionMap, GoFunction } from "./functions.js";
import {
  GoMap,
  GoSlice,
  GoStruct,
  isTrue,
  sortedEntries,
  structField,
  typeName,
  type Value,
} from "./values.js";

/** Bounds on one run, so that a template cannot tie up the process. */
export interface Limits {
  /** Characters of output. */
  readonly output: number;
  /** `range` iterations, all loops together. */
  readonly iterations: number;
}

export const defaultLimits: Limits = { output: 1_000_000, iterations: 1_000_000 };

export function execute(
  name: string,
  text: string,
  nodes: readonly Node[],
  data: Value,
  functions: FunctionMap,
  limits: Limits = defaultLimits,
): string {
  return new Executor(name, text, functions, limits, data).run(nodes);
}

/** No value came down the pipeline (Go's `missingVal`), unlike `undefined`, a missing value. */
const noFinal = Symbol("no final argument");
type Final = Value | typeof noFinal;

const any = "interface {}";
const reflectValue = "reflect.Value";

const canBeNil = (type: string) =>
  type === any || type === reflectValue || type.startsWith("[]") || type.startsWith("map[");

/** The zero value of a type that can be nil, which a missing value or `nil` becomes. */
function zeroOf(type: string): Value {
  if (type === reflectValue) return undefined;
  if (type.startsWith("[]")) return new GoSlice(type, []);
  if (type.startsWith("map[")) return new GoMap(type, type.slice(4, type.indexOf("]")), new Map());
  return null;
}

/** Thrown by `{{break}}` and `{{continue}}` to the enclosing `range`. */
class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}

interface Variable {
  readonly name: string;
  value: Value;
}

class Executor {
  private readonly output: string[] = [];
  private outputLength = 0;
  private iterations = 0;
  /** Variables in scope, innermost last; `$` is the data. */
  private readonly vars: Variable[];

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly functions: FunctionMap,
    private readonly limits: Limits,
    data: Value,
  ) {
    this.vars = [{ name: "$", value: data }];
  }

  run(nodes: readonly Node[]): string {
    this.walk(this.vars[0].value, nodes);
    return this.output.join("");
  }

  private fail(at: Span, reason: string): never {
    const { line, column } = position(this.text, at.pos);
    throw new TemplateError(this.name, line, column, reason, this.text.slice(at.pos, at.end));
  }

  private write(at: Span | undefined, text: string): void {
    this.outputLength += text.length;
    if (this.outputLength > this.limits.output) {
      this.fail(at ?? { pos: 0, end: 0 }, `output longer than ${this.limits.output} characters`);
    }
    this.output.push(text);
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    // The parser lets only declared variables through.
    throw new Error(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    throw new Error(`undefined variable: ${name}`);
  }

  private walk(dot: Value, nodes: readonly Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case "text":
          this.write(undefined, node.text);
          break;
        case "action": {
          // Variables an action declares live until the enclosing control's end.
          const value = this.evalPipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0)
            this.write(node, value === undefined ? "<no value>" : sprintValue(value));
          break;
        }
        case "if":
        case "with": {
          const mark = this.vars.length;
          try {
            const value = this.evalPipeline(dot, node.pipe);
            if (isTrue(value)) this.walk(node.kind === "with" ? value : dot, node.list);
            else if (node.elseList) this.walk(dot, node.elseList);
          } finally {
            this.vars.length = mark;
          }
          break;
        }
        case "range":
          this.walkRange(dot, node);
          break;
        case "break":
        case "continue":
          throw new LoopSignal(node.kind);
      }
    }
  }

  private walkRange(dot: Value, node: BranchNode): void {
    const scope = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const { decl, isAssign } = node.pipe;
      const mark = this.vars.length;
      const iteration = (index: Value, element: Value) => {
        if (++this.iterations > this.limits.iterations) {
          this.fail(node.pipe, `more than ${this.limits.iterations} range iterations`);
        }
        // With two variables the first gets the index (or key); with one, the element.
        if (decl.length > 0) {
          if (isAssign) this.setVar(decl[0].name, decl.length > 1 ? index : element);
          else this.vars[this.vars.length - 1].value = element;
        }
        if (decl.length > 1) {
          if (isAssign) this.setVar(decl[1].name, element);
          else this.vars[this.vars.length - 2].value = index;
        }
        try {
          this.walk(element, node.list);
        } catch (signal) {
          if (!(signal instanceof LoopSignal && signal.kind === "continue")) throw signal;
        } finally {
          this.vars.length = mark;
        }
      };
      let ran = false;
      if (typeof value === "bigint") {
        if (decl.length > 1)
          this.fail(node.pipe, `can't use ${value} to iterate over more than one variable`);
        for (let i = 0n; i < value; i++) {
          ran = true;
          iteration(undefined, i);
        }
      } else if (value instanceof GoSlice) {
        value.items.forEach((item, i) => {
          ran = true;
          iteration(BigInt(i), item);
        });
      } else if (value instanceof GoMap) {
        for (const [key, item] of sortedEntries(value)) {
          ran = true;
          iteration(key, item);
        }
      } else if (value !== undefined && value !== null) {
        this.fail(node.pipe, `range can't iterate over ${sprintValue(value)}`);
      }
      if (!ran && node.elseList) this.walk(dot, node.elseList);
    } catch (signal) {
      if (!(signal instanceof LoopSignal && signal.kind === "break")) throw signal;
    } finally {
      this.vars.length = scope;
    }
  }

  private evalPipeline(dot: Value, pipe: Pipe): Value {
    let value: Final = noFinal;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} coming out of a command is no value, as in Go.
      if (value === null) value = undefined;
    }
    const result = value === noFinal ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.name, result);
      else this.vars.push({ name: variable.name, value: result });
    }
    return result;
  }

  private notAFunction(args: readonly Operand[], final: Final): void {
    if (args.length > 1 || final !== noFinal) {
      this.fail(args[0], `can't give argument to non-function ${this.text.slice(args[0].pos, args[0].end)}`);
    }
  }

  private evalCommand(dot: Value, cmd: Command, final: Final): Value {
    const first = cmd.args[0];
    switch (first.kind) {
      case "field":
        return this.evalFieldChain(dot, dot, first, first.fields, cmd.args, final);
      case "chain":
        return this.evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "variable": {
        const value = this.varValue(first.name);
        if (first.fields.length > 0)
          return this.evalFieldChain(dot, value, first, first.fields, cmd.args, final);
        this.notAFunction(cmd.args, final);
        return value;
      }
    }
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "pipe":
        return this.evalPipeline(dot, first.pipe);
      case "bool":
      case "string":
        return first.value;
      case "dot":
        return dot;
      case "number":
        return this.idealConstant(first);
      case "nil":
        return this.fail(first, "nil is not a command");
    }
  }

  private idealConstant(number: NumberOperand): Value {
    if (number.floatSyntax && number.float !== undefined) return number.float;
    if (number.int !== undefined) return number.int;
    return this.fail(number, `${number.text} overflows int`);
  }

  private evalChain(dot: Value, chain: ChainOperand, args: readonly Operand[], final: Final): Value {
    const receiver = this.evalArg(dot, any, chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final);
  }

  /** `.A.B.C`: each field of the one before; the last may be a method given the arguments. */
  private evalFieldChain(
    dot: Value,
    receiver: Value,
    node: Span,
    fields: readonly string[],
    args: readonly Operand[],
    final: Final,
  ): Value {
    let value = receiver;
    fields.forEach((field, i) => {
      const last = i === fields.length - 1;
      value = this.evalField(dot, field, node, last ? args : [], last ? final : noFinal, value);
    });
    return value;
  }

  private evalField(
    dot: Value,
    name: string,
    node: Span,
    args: readonly Operand[],
    final: Final,
    receiver: Value,
  ): Value {
    // A missing value has no fields, and no error either (Go's default `missingkey`).
    if (receiver === undefined) return undefined;
    if (receiver === null) return this.fail(node, `nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== noFinal;
    if (receiver instanceof GoStruct) {
      const method = receiver.methods.get(name);
      if (method) return this.evalCall(dot, { params: [], call: () => method() }, node, name, args, final);
      const field = structField(receiver, name);
      if (field) {
        if (hasArgs) this.fail(node, `${name} has arguments but cannot be invoked as function`);
        return field.value;
      }
    } else if (receiver instanceof GoMap && receiver.keyType === "string") {
      if (hasArgs) this.fail(node, `${name} is not a method but has arguments`);
      return receiver.entries.has(name) ? receiver.entries.get(name) : undefined;
    }
    return this.fail(node, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalFunction(
    dot: Value,
    identifier: IdentifierOperand,
    node: Span,
    args: readonly Operand[],
    final: Final,
  ): Value {
    const fn = this.functions.get(identifier.name);
    if (!fn) return this.fail(identifier, `${JSON.stringify(identifier.name)} is not a defined function`);
    return this.evalCall(dot, fn, node, identifier.name, args, final);
  }

  /** Calls a function or method; `args[0]` is the function itself, as in Go. */
  private evalCall(
    dot: Value,
    fn: GoFunction,
    node: Span,
    name: string,
    args: readonly Operand[],
    final: Final,
  ): Value {
    const argNodes = args.slice(1);
    const { params } = fn;
    const numIn = argNodes.length + (final === noFinal ? 0 : 1);
    const numFixed = fn.variadic ? params.length - 1 : argNodes.length;
    if (fn.variadic && numIn < numFixed) {
      this.fail(node, `wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    }
    if (!fn.variadic && numIn !== params.length) {
      this.fail(node, `wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }
    if (fn.shortCircuit) {
      // Stop at the first argument that decides; the piped value comes last.
      let value: Value;
      for (const arg of argNodes) {
        value = this.evalArg(dot, reflectValue, arg);
        if (isTrue(value) === (fn.shortCircuit === "or")) return value;
      }
      return final === noFinal ? value : final;
    }
    const argv: Value[] = argNodes.map((arg, i) =>
      this.evalArg(dot, params[Math.min(i, params.length - 1)], arg),
    );
    if (final !== noFinal) {
      const type = fn.variadic && numIn - 1 >= numFixed ? params[params.length - 1] : params[numIn - 1];
      argv.push(this.validateType(node, final, type));
    }
    try {
      return fn.call(argv);
    } catch (error) {
      if (error instanceof TemplateError || !(error instanceof Error)) throw error;
      return this.fail(node, `error calling ${name}: ${error.message}`);
    }
  }

  /** An argument of a call, checked against (and for literals, read as) the parameter's type. */
  private evalArg(dot: Value, type: string, node: Operand): Value {
    switch (node.kind) {
      case "dot":
        return this.validateType(node, dot, type);
      case "nil":
        if (canBeNil(type)) return zeroOf(type);
        return this.fail(node, `cannot assign nil to ${type}`);
      case "field":
        return this.validateType(
          node,
          this.evalFieldChain(dot, dot, node, node.fields, [node], noFinal),
          type,
        );
      case "variable": {
        const value = this.varValue(node.name);
        const result =
          node.fields.length > 0 ? this.evalFieldChain(dot, value, node, node.fields, [], noFinal) : value;
        return this.validateType(node, result, type);
      }
      case "pipe":
        return this.validateType(node, this.evalPipeline(dot, node.pipe), type);
      case "identifier":
        return this.validateType(node, this.evalFunction(dot, node, node, [node], noFinal), type);
      case "chain":
        return this.validateType(node, this.evalChain(dot, node, [], noFinal), type);
    }
    const literal = this.text.slice(node.pos, node.end);
    switch (type) {
      case "bool":
        if (node.kind === "bool") return node.value;
        return this.fail(node, `expected bool; found ${literal}`);
      case "int":
        if (node.kind === "number" && node.int !== undefined) return node.int;
        return this.fail(node, `expected integer; found ${literal}`);
      case "float64":
        if (node.kind === "number" && node.float !== undefined) return node.float;
        return this.fail(node, `expected float; found ${literal}`);
      case "string":
        if (node.kind === "string") return node.value;
        return this.fail(node, `expected string; found ${literal}`);
      case any:
      case reflectValue:
        return node.kind === "number" ? this.idealConstant(node) : node.value;
    }
    return this.fail(node, `can't handle ${literal} for arg of type ${type}`);
  }

  /** Go's assignability check of a value to a parameter; a missing value becomes the type's nil. */
  private validateType(node: Span, value: Value, type: string): Value {
    if (value === undefined) {
      if (canBeNil(type)) return zeroOf(type);
      return this.fail(node, `invalid value; expected ${type}`);
    }
    if (type === any || type === reflectValue) return value;
    const actual = value === null ? any : typeName(value);
    if (actual !== type) this.fail(node, `wrong type for value; expected ${type}; got ${actual}`);
    return value;
  }
}
