/**
 * The abstract syntax tree of an expression. Every node carries a 0-based `start` offset in the compiled source text
 * (the template when the expression is a block of a template): the first character of a primary (literal, variable,
 * call), the operator of an operation (`.name`, `[`, `==`...), so that errors point at what failed.
 */

/** Static knowledge about a number literal or an arithmetic result, used for Java's integer division. */
export type NumberKind = 'int' | 'double';

export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or'
  | 'matches'
  | 'between';

/** How a selection keeps the elements that match: all of them, the first, or the last. */
export type SelectionMode = 'all' | 'first' | 'last';

interface Base {
  start: number;
}

export interface LiteralNode extends Base {
  type: 'literal';
  value: string | number | boolean | null;
  /** For numbers: `int` (also long) or `double`. */
  numberKind?: NumberKind;
}

/** `#name`: a root of the context (`#request`), `#this`, `#root`, or an extra variable. */
export interface VariableNode extends Base {
  type: 'variable';
  name: string;
}

/** A bare name: a property of the current object (`#this` in a selection or projection). */
export interface IdentifierNode extends Base {
  type: 'identifier';
  name: string;
}

/** `target.name` or `target?.name`. */
export interface PropertyNode extends Base {
  type: 'property';
  target: Node;
  name: string;
  safe: boolean;
}

/** `target[index]` or `target?.[index]`. */
export interface IndexNode extends Base {
  type: 'index';
  target: Node;
  index: Node;
  safe: boolean;
}

/** `target.name(args)`; `target` is null for a bare call on the current object. */
export interface MethodNode extends Base {
  type: 'method';
  target: Node | null;
  name: string;
  args: Node[];
  safe: boolean;
}

/** `#name(args)`: a built-in function. */
export interface FunctionNode extends Base {
  type: 'function';
  name: string;
  args: Node[];
}

/** `T(java.lang.Math)`. */
export interface TypeNode extends Base {
  type: 'type';
  typeName: string;
}

export interface UnaryNode extends Base {
  type: 'unary';
  op: '!' | '-' | '+';
  operand: Node;
}

export interface BinaryNode extends Base {
  type: 'binary';
  op: BinaryOperator;
  left: Node;
  right: Node;
}

export interface TernaryNode extends Base {
  type: 'ternary';
  test: Node;
  consequent: Node;
  alternate: Node;
}

/** `left ?: right`: `left` unless it is null or the empty string. */
export interface ElvisNode extends Base {
  type: 'elvis';
  left: Node;
  right: Node;
}

/** `{a, b, c}`. */
export interface ListNode extends Base {
  type: 'list';
  items: Node[];
}

/** `{key: value, 'other': value}`; a bare identifier key is the string of its name. */
export interface MapNode extends Base {
  type: 'map';
  entries: { key: Node; value: Node }[];
}

/** `target.?[predicate]`, `target.^[predicate]`, `target.$[predicate]`. */
export interface SelectionNode extends Base {
  type: 'selection';
  target: Node;
  mode: SelectionMode;
  predicate: Node;
  safe: boolean;
}

/** `target.![expression]`. */
export interface ProjectionNode extends Base {
  type: 'projection';
  target: Node;
  expression: Node;
  safe: boolean;
}

export type Node =
  | LiteralNode
  | VariableNode
  | IdentifierNode
  | PropertyNode
  | IndexNode
  | MethodNode
  | FunctionNode
  | TypeNode
  | UnaryNode
  | BinaryNode
  | TernaryNode
  | ElvisNode
  | ListNode
  | MapNode
  | SelectionNode
  | ProjectionNode;
