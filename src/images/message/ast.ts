/**
 * The parse tree of a Go text/template. Every node but text keeps where it starts and ends in the
 * template (offsets), for error messages.
 */

export interface Span {
  readonly pos: number;
  readonly end: number;
}

export type Node = TextNode | ActionNode | BranchNode | LoopControlNode;

export interface TextNode {
  readonly kind: "text";
  readonly text: string;
}

/** `{{ pipeline }}`: prints the value unless the pipeline declares or assigns variables. */
export interface ActionNode extends Span {
  readonly kind: "action";
  readonly pipe: Pipe;
}

/** `{{if}}`, `{{with}}` and `{{range}}`, with their `{{else}}` part. */
export interface BranchNode extends Span {
  readonly kind: "if" | "with" | "range";
  readonly pipe: Pipe;
  readonly list: readonly Node[];
  readonly elseList?: readonly Node[];
}

export interface LoopControlNode extends Span {
  readonly kind: "break" | "continue";
}

/** `$x := a | b c`: commands whose value feeds the next one as its last argument. */
export interface Pipe extends Span {
  /** Variables declared (`:=`) or assigned (`=`); two only in `range`. */
  readonly decl: readonly VariableOperand[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

/** A function or method and its arguments, or a single value. */
export interface Command extends Span {
  readonly args: readonly Operand[];
}

export type Operand =
  | FieldOperand
  | VariableOperand
  | ChainOperand
  | IdentifierOperand
  | PipeOperand
  | (Span & { readonly kind: "dot" | "nil" })
  | BoolOperand
  | NumberOperand
  | StringOperand;

/** `.A.B`: fields of dot. */
export interface FieldOperand extends Span {
  readonly kind: "field";
  readonly fields: readonly string[];
}

/** `$x.A.B`; `$` is the data the template runs on. */
export interface VariableOperand extends Span {
  readonly kind: "variable";
  readonly name: string;
  readonly fields: readonly string[];
}

/** `(pipeline).A.B`. */
export interface ChainOperand extends Span {
  readonly kind: "chain";
  readonly node: Operand;
  readonly fields: readonly string[];
}

/** A function name. */
export interface IdentifierOperand extends Span {
  readonly kind: "identifier";
  readonly name: string;
}

/** `(pipeline)`. */
export interface PipeOperand extends Span {
  readonly kind: "pipe";
  readonly pipe: Pipe;
}

export interface BoolOperand extends Span {
  readonly kind: "bool";
  readonly value: boolean;
}

/** A number or character constant, in the forms Go can read it as. */
export interface NumberOperand extends Span {
  readonly kind: "number";
  readonly text: string;
  /** Its value when it is a whole number within int64 (`3`, `3.0`, `'a'`). */
  readonly int?: bigint;
  /** Its value as float64, when it has one. */
  readonly float?: number;
  /** Written as a float (`1.5`, `1e3`), which makes it a float64 where no type is asked for. */
  readonly floatSyntax: boolean;
}

export interface StringOperand extends Span {
  readonly kind: "string";
  /** The string, unquoted. */
  readonly value: string;
}
