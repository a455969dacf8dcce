/**
 * Views of the tree-sitter tree that reproduce what Bandit's plugins see through Python's `ast`
 * and Bandit's `Context`: calls with Starred/`**` entries kept (`call_args_count`), keyword values
 * read the way `call_keywords` reads them, literals the way `_get_literal_value` reads them, and
 * "parents" with parentheses and argument lists dissolved as they are in `ast`.
 * The plugins depend on these quirks (a keyword whose value is a call counts as absent, booleans
 * compare as the strings "True"/"False"), so they are reproduced on purpose.
 */
import type { SyntaxNode } from "../../../python/index.js";
import { nodeText, readStringToken, literalValue, unparenthesize } from "../../../python/index.js";
import type { RuleContext } from "../../types.js";

/** Bytes literals stay distinct from str ones: in Python b"x" != "x". */
export interface BanditBytes {
  bytes: string;
}
/** A dict literal: only ever compared by identity-free structure, which no plugin does. */
export interface BanditDict {
  dict: true;
}
export type BanditLiteral = string | number | BanditBytes | BanditDict | null | BanditLiteral[];

/** Bandit's `Context._get_literal_value`. */
export function banditLiteral(node: SyntaxNode, source: string): BanditLiteral {
  const n = unparenthesize(node);
  switch (n.type) {
    case "integer":
    case "float": {
      const v = literalValue(n, source);
      if (v?.kind === "int") return Number(v.value);
      if (v?.kind === "float") return v.value;
      return null; // complex numbers: no plugin compares them
    }
    case "string":
    case "concatenated_string": {
      const v = literalValue(n, source);
      if (v?.kind === "str") return v.value;
      if (v?.kind === "bytes") return { bytes: v.value };
      return null; // f-strings are JoinedStr, not a literal
    }
    case "true":
      return "True";
    case "false":
      return "False";
    case "none":
      return "None";
    case "identifier":
      return nodeText(n, source);
    case "list":
    case "tuple":
    case "set":
      return n.namedChildren.filter((c) => c.type !== "comment").map((c) => banditLiteral(c, source));
    case "dictionary":
      return { dict: true };
    default:
      return null;
  }
}

/** How `call_args`/`call_keywords` read an argument: an attribute gives its attribute name. */
export function banditArgValue(node: SyntaxNode, source: string): BanditLiteral {
  const n = unparenthesize(node);
  if (n.type === "attribute") {
    const attr = n.childForFieldName("attribute");
    return attr ? nodeText(attr, source) : null;
  }
  return banditLiteral(n, source);
}

/** Python `==` over the literal shapes above. */
export function pyEquals(a: BanditLiteral, b: BanditLiteral): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEquals(x, b[i]!));
  }
  if (typeof a === "object" || typeof b === "object") {
    if (typeof a === "object" && typeof b === "object" && "bytes" in a && "bytes" in b) return a.bytes === b.bytes;
    return false;
  }
  return a === b;
}

export interface BanditKeyword {
  /** null for `**kwargs`. */
  arg: string | null;
  value: SyntaxNode;
}

/**
 * One call as `ast.Call` holds it, plus the Context accessors Bandit's plugins use. The argument
 * list is read from the tree only when a rule first needs it, and a keyword that does not occur
 * in the call's text is known to be absent without reading the tree at all: most calls are asked
 * about `shell=`, `verify=`, `ssl_version=`... and have none of them.
 */
export class BanditCall {
  readonly node: SyntaxNode;
  /** `call_function_name_qual`. */
  readonly qualname: string;
  /** `call_function_name`. */
  readonly name: string;
  private readonly source: string;
  private parsed: { args: SyntaxNode[]; keywords: BanditKeyword[] } | undefined;
  private callText: string | undefined;

  constructor(node: SyntaxNode, ctx: RuleContext) {
    this.node = node;
    this.source = ctx.module.source;
    this.qualname = ctx.callName(node);
    const dot = this.qualname.lastIndexOf(".");
    this.name = dot < 0 ? this.qualname : this.qualname.slice(dot + 1);
  }

  /** `ast.Call.args`: positional arguments, `*x` included. */
  get args(): SyntaxNode[] {
    return (this.parsed ??= this.readArguments()).args;
  }

  /** `ast.Call.keywords`: `name=value` and `**x` (arg null). */
  get keywords(): BanditKeyword[] {
    return (this.parsed ??= this.readArguments()).keywords;
  }

  private readArguments(): { args: SyntaxNode[]; keywords: BanditKeyword[] } {
    const out: { args: SyntaxNode[]; keywords: BanditKeyword[] } = { args: [], keywords: [] };
    const argList = this.node.childForFieldName("arguments");
    if (!argList) return out;
    if (argList.type === "generator_expression") {
      out.args.push(argList);
      return out;
    }
    for (const a of argList.namedChildren) {
      const type = a.type;
      if (type === "comment") continue;
      if (type === "keyword_argument") {
        const name = a.childForFieldName("name");
        const value = a.childForFieldName("value");
        if (name && value) out.keywords.push({ arg: nodeText(name, this.source), value });
      } else if (type === "dictionary_splat") {
        const value = a.namedChildren.find((c) => c.type !== "comment") ?? a;
        out.keywords.push({ arg: null, value });
      } else {
        out.args.push(a);
      }
    }
    return out;
  }

  /**
   * Whether `text` occurs in the call's source: a keyword `name=` can only be present if `name`
   * does, and `name=value` keywords only if "=" does. A cheap test before reading the arguments.
   */
  mentions(text: string): boolean {
    this.callText ??= nodeText(this.node, this.source);
    return this.callText.includes(text);
  }

  /** `call_args_count`. */
  get argCount(): number {
    return this.args.length;
  }

  /** `call_args`: each positional argument read as Bandit reads it. */
  argValues(): BanditLiteral[] {
    return this.args.map((a) => banditArgValue(a, this.source));
  }

  /** `get_call_arg_at_position`: undefined past the end (Bandit returns None). */
  argAt(position: number): BanditLiteral | undefined {
    const a = this.args[position];
    return a ? banditArgValue(a, this.source) : undefined;
  }

  /** Raw keyword value node (the last one if repeated, as a dict build would keep). */
  keyword(name: string): SyntaxNode | undefined {
    if (!this.mentions(name)) return undefined;
    let found: SyntaxNode | undefined;
    for (const k of this.keywords) if (k.arg === name) found = k.value;
    return found;
  }

  hasKeyword(name: string): boolean {
    return this.mentions(name) && this.keywords.some((k) => k.arg === name);
  }

  // Several rules ask for the same keyword of the same call (B502/B504 for ssl_version, B602-B604
  // for shell): read each value once.
  private keywordValues: Map<string, BanditLiteral | undefined> | undefined;

  /** `get_call_arg_value`: the keyword read as Bandit reads it; undefined when absent. */
  keywordValue(name: string): BanditLiteral | undefined {
    if (!this.mentions(name)) return undefined;
    this.keywordValues ??= new Map();
    if (this.keywordValues.has(name)) return this.keywordValues.get(name);
    const v = this.keyword(name);
    const value = v ? banditArgValue(v, this.source) : undefined;
    this.keywordValues.set(name, value);
    return value;
  }

  /**
   * `check_call_arg_value(name, values)`: null when the keyword is absent *or* its value is not a
   * literal/name/attribute (Bandit stores None for those, and then treats them as absent);
   * otherwise whether it equals one of `values` (default: None, i.e. never for a present value).
   */
  checkKeyword(name: string, values?: BanditLiteral | BanditLiteral[]): boolean | null {
    const v = this.keywordValue(name);
    if (v === undefined || v === null) return null;
    const list = values === undefined ? [null] : Array.isArray(values) ? values : [values];
    return list.some((x) => pyEquals(v, x));
  }

  /** `get_lineno_for_call_arg`: first line of the keyword's value, undefined when absent. */
  keywordLine(name: string): number | undefined {
    if (!this.mentions(name)) return undefined;
    // Python positions a value without its grouping parentheses: `shell=(\n True)` is True's line.
    for (const k of this.keywords) if (k.arg === name) return unparenthesize(k.value).startPosition.row + 1;
    return undefined;
  }
}

/** `isinstance(node, ast.Str)` on Python 3.8+: a plain (non-f, non-bytes) string constant. */
export function isStrConstant(node: SyntaxNode, source: string): boolean {
  const n = unparenthesize(node);
  if (n.type !== "string" && n.type !== "concatenated_string") return false;
  return literalValue(n, source)?.kind === "str";
}

/** The value of a plain string constant, or null. */
export function strConstant(node: SyntaxNode, source: string): string | null {
  const n = unparenthesize(node);
  if (n.type !== "string" && n.type !== "concatenated_string") return null;
  const v = literalValue(n, source);
  return v?.kind === "str" ? v.value : null;
}

/** `isinstance(node, ast.Constant)` (any constant: str, bytes, number, True/False/None, ...). */
export function isConstant(node: SyntaxNode, source: string): boolean {
  const n = unparenthesize(node);
  switch (n.type) {
    case "string":
    case "concatenated_string":
      return literalValue(n, source) !== undefined; // f-strings are JoinedStr
    case "integer":
    case "float":
    case "true":
    case "false":
    case "none":
    case "ellipsis":
      return true;
    default:
      return false;
  }
}

/** True for an f-string (alone or inside an implicit concatenation): Python's JoinedStr. */
export function isJoinedStr(node: SyntaxNode, source: string): boolean {
  const n = unparenthesize(node);
  if (n.type === "string") return readStringToken(n, source).formatted;
  if (n.type === "concatenated_string") return n.namedChildren.some((c) => c.type === "string" && readStringToken(c, source).formatted);
  return false;
}

/**
 * The node `ast` would call this node's parent: parentheses vanish and an argument list belongs to
 * its call. Returns null at the module.
 */
export function pyParent(node: SyntaxNode): SyntaxNode | null {
  return pyParentFrom(node.parent);
}

/** `pyParent` for a node whose tree-sitter parent is already at hand. */
export function pyParentFrom(treeParent: SyntaxNode | null): SyntaxNode | null {
  let p = treeParent;
  while (p && p.type === "parenthesized_expression") p = p.parent;
  if (p && p.type === "argument_list") return p.parent;
  return p;
}

/** Python's ast.Expr: an expression statement holding exactly this expression. */
export function isExprStatement(node: SyntaxNode | null): boolean {
  return !!node && node.type === "expression_statement" && node.namedChildren.filter((c) => c.type !== "comment").length === 1;
}

/** `ast.Name.id` of an identifier (through parentheses), else null: `getattr(node, "id", None)`. */
export function nameId(node: SyntaxNode | null | undefined, source: string): string | null {
  if (!node) return null;
  const n = unparenthesize(node);
  return n.type === "identifier" ? nodeText(n, source) : null;
}

/** `ast.Attribute.attr`, else null. */
export function attrName(node: SyntaxNode | null | undefined, source: string): string | null {
  if (!node) return null;
  const n = unparenthesize(node);
  if (n.type !== "attribute") return null;
  const a = n.childForFieldName("attribute");
  return a ? nodeText(a, source) : null;
}

/** Bandit's `utils.get_called_name`: `func.attr` or `func.id`, else "". */
export function calledName(call: SyntaxNode, source: string): string {
  const fn = call.childForFieldName("function");
  if (!fn) return "";
  return attrName(fn, source) ?? nameId(fn, source) ?? "";
}

/** Python's `oct()`. */
export function pyOct(n: number): string {
  return n < 0 ? `-0o${(-n).toString(8)}` : `0o${n.toString(8)}`;
}

/** Python's `repr()` of a str, close enough for messages. */
export function pyRepr(s: string): string {
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
  return body.includes("'") && !body.includes('"') ? `"${body}"` : `'${body.replace(/'/g, "\\'")}'`;
}

/** Render a Bandit literal the way Python's `%s`/str() would, for messages. */
export function pyStr(v: BanditLiteral | undefined): string {
  if (v === undefined || v === null) return "None";
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === "string" ? pyRepr(x) : pyStr(x))).join(", ")}]`;
  if ("bytes" in v) return `b${pyRepr(v.bytes)}`;
  return "{...}";
}

const CALLS = {};

/** The BanditCall view of a call node, built once per node and shared by every call rule. */
export function banditCall(node: SyntaxNode, ctx: RuleContext): BanditCall {
  const cache = node.tree.memoTable<BanditCall>(CALLS);
  let c = cache.get(node.id);
  if (!c) {
    c = new BanditCall(node, ctx);
    cache.set(node.id, c);
  }
  return c;
}
