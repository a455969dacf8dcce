/**
 * Small, iterative helpers over tree-sitter-python nodes shared by the CWE checks: walking,
 * names, literals, intra-function def-use closure and structural guard (dominance) queries.
 *
 * Guards are computed on the structured AST: a condition dominates a statement when the statement
 * sits in the branch the condition selects, or when an earlier statement of an enclosing block is
 * `if C: <always exits>` / `assert C`. For Python's structured control flow (no goto) this is the
 * same answer a CFG dominator tree gives for the conditions the checks ask about.
 */
import { calleeAliasValues, LOOKUP_TYPES, lookupHead, lookupName, throughLookup, type SyntaxNode } from "../../python/index.js";

export type Node = SyntaxNode;

/**
 * Pre-order walk over named nodes with a tree cursor (no recursion, so deeply nested input cannot
 * overflow the JS stack; and far cheaper than materialising `namedChildren` arrays at every node).
 */
export function* descendants(root: Node, opts: { intoFunctions?: boolean } = {}): Generator<Node> {
  const intoFunctions = opts.intoFunctions ?? true;
  const cursor = root.walk();
  let depth = 0;
  for (;;) {
    let descend = true;
    if (cursor.nodeIsNamed) {
      const type = cursor.nodeType;
      if (depth > 0 && !intoFunctions && (type === "function_definition" || type === "lambda")) descend = false;
      else yield cursor.currentNode;
    }
    if (descend && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (depth === 0) return;
      if (cursor.gotoNextSibling()) break;
      cursor.gotoParent();
      depth--;
    }
  }
}

/**
 * Named descendants of the given types, in document order, found by a scan of the tree's type
 * column. `intoFunctions: false` drops nodes that belong to nested functions/lambdas.
 */
export function ofTypes(root: Node, types: string[], opts: { intoFunctions?: boolean } = {}): Node[] {
  const found = root.descendantsOfType(types);
  if (opts.intoFunctions ?? true) return found;
  return found.filter((n) => {
    for (let p = n.parent; p; p = p.parent) {
      if (p.id === root.id) return true;
      if (p.type === "function_definition" || p.type === "lambda") return false;
    }
    return true;
  });
}

export function ofType(root: Node, type: string, opts: { intoFunctions?: boolean } = {}): Node[] {
  return ofTypes(root, [type], opts);
}

export function functions(root: Node): Node[] {
  return ofType(root, "function_definition");
}

/**
 * Function definitions that a later definition of the same name in the same block replaces before
 * anything can call them (Python binds the name to the last `def`): dead code for every check.
 */
export function shadowedFunctions(root: Node): Set<number> {
  const out = new Set<number>();
  for (const block of descendants(root)) {
    if (block.type !== "module" && block.type !== "block") continue;
    const lastByName = new Map<string, Node>();
    const defs: Node[] = [];
    for (const stmt of block.namedChildren) {
      const def = stmt.type === "decorated_definition" ? stmt.childForFieldName("definition") : stmt;
      if (def?.type !== "function_definition") continue;
      defs.push(def);
      lastByName.set(functionName(def), def);
    }
    for (const d of defs) if (lastByName.get(functionName(d))?.id !== d.id) out.add(d.id);
  }
  return out;
}

export function functionName(fn: Node): string {
  return fn.childForFieldName("name")?.text ?? "";
}

export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition") return p;
  return null;
}

export interface Param {
  name: string;
  annotation: string | null;
  node: Node;
}

export function parameters(fn: Node): Param[] {
  const list = fn.childForFieldName("parameters");
  if (!list) return [];
  const out: Param[] = [];
  for (const p of list.namedChildren) {
    let nameNode: Node | null = null;
    let annotation: string | null = null;
    if (p.type === "identifier") nameNode = p;
    else if (p.type === "typed_parameter") {
      nameNode = p.namedChildren.find((c) => c.type === "identifier") ?? null;
      annotation = p.childForFieldName("type")?.text ?? null;
    } else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
      nameNode = p.childForFieldName("name");
      annotation = p.childForFieldName("type")?.text ?? null;
    } else if (p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern") {
      nameNode = p.namedChildren.find((c) => c.type === "identifier") ?? null;
    }
    if (nameNode && nameNode.text !== "self" && nameNode.text !== "cls") out.push({ name: nameNode.text, annotation, node: p });
  }
  return out;
}

/** Strip parentheses around an expression. */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.type === "parenthesized_expression" && n.namedChildren.length === 1) n = n.namedChildren[0]!;
  return n;
}

/** Identifiers read by an expression (not attribute names or keyword-argument names). */
export function namesIn(node: Node): Set<string> {
  const out = new Set<string>();
  const ids = node.type === "identifier" ? [node] : ofTypes(node, ["identifier"]);
  for (const n of ids) {
    const parent = n.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === n.id) continue;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === n.id) continue;
    out.add(n.text);
  }
  return out;
}

/** The innermost name an attribute/subscript/call chain is rooted at (`a` for `a.b[c].d()`). */
export function rootName(node: Node): string | null {
  let n: Node | null = unwrap(node);
  while (n) {
    if (n.type === "identifier") return n.text;
    if (n.type === "attribute") n = n.childForFieldName("object");
    else if (n.type === "subscript") n = n.childForFieldName("value");
    else if (n.type === "call") n = n.childForFieldName("function");
    else return null;
  }
  return null;
}

/** Is an access chain rooted at a name the function does not bind (module state, a global)? */
export function rootIsSharedRoot(node: Node, locals: Set<string>): boolean {
  const r = rootName(node);
  return r !== null && !locals.has(r);
}

/** Dotted text of a callee (`hashlib.new`, `self.cache.update`); null when not a plain chain. */
export function dottedName(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === "identifier") return n.text;
  if (n.type === "attribute") {
    const obj = n.childForFieldName("object");
    const attr = n.childForFieldName("attribute");
    if (!obj || !attr) return null;
    const base = dottedName(obj);
    return base === null ? null : `${base}.${attr.text}`;
  }
  return null;
}

/** Last segment of a call's callee (`update` for `x.y.update(...)`). */
export function calleeTail(call: Node): string {
  const fn = call.childForFieldName("function");
  if (!fn) return "";
  if (fn.type === "attribute") return fn.childForFieldName("attribute")?.text ?? "";
  if (fn.type === "identifier") {
    // `read = open` then `read(path)`: the tail of what the name is bound to (callee-aliases.ts).
    const value = calleeAliasValues(fn.tree.rootNode).get(fn.text);
    const named = value ? (LOOKUP_TYPES.has(lookupHead(value).type) ? throughLookup(value, (head) => lookupName(head, fn.tree.source, dottedName)) : value.text) : null;
    return named ? named.slice(named.lastIndexOf(".") + 1) : fn.text;
  }
  return "";
}

export function calleeObject(call: Node): Node | null {
  const fn = call.childForFieldName("function");
  return fn?.type === "attribute" ? fn.childForFieldName("object") : null;
}

export interface CallArgs {
  positional: Node[];
  keywords: Map<string, Node>;
  hasSplat: boolean;
}

export function callArgs(call: Node): CallArgs {
  const out: CallArgs = { positional: [], keywords: new Map(), hasSplat: false };
  const args = call.childForFieldName("arguments");
  if (!args) return out;
  for (const a of args.namedChildren) {
    if (a.type === "keyword_argument") {
      const name = a.childForFieldName("name")?.text;
      const value = a.childForFieldName("value");
      if (name && value) out.keywords.set(name, value);
    } else if (a.type === "list_splat" || a.type === "dictionary_splat") out.hasSplat = true;
    else if (a.type !== "comment") out.positional.push(a);
  }
  return out;
}

/** Value of a string literal (plain or concatenated, no interpolation), else null. */
export function stringValue(node: Node): string | null {
  const n = unwrap(node);
  if (n.type === "concatenated_string") {
    let s = "";
    for (const part of n.namedChildren) {
      const v = stringValue(part);
      if (v === null) return null;
      s += v;
    }
    return s;
  }
  if (n.type !== "string") return null;
  const start = n.namedChildren.find((c) => c.type === "string_start")?.text ?? "";
  const raw = /r/i.test(start.replace(/["']/g, ""));
  if (/f/i.test(start.replace(/["']/g, ""))) {
    if (n.namedChildren.some((c) => c.type === "interpolation")) return null;
  }
  let s = "";
  for (const c of n.namedChildren) {
    if (c.type === "string_content") {
      // Escape sequences appear as children of string_content in tree-sitter-python 0.25.
      if (raw || c.namedChildren.length === 0) s += c.text;
      else {
        let pos = c.startIndex;
        for (const e of c.namedChildren) {
          s += c.text.slice(pos - c.startIndex, e.startIndex - c.startIndex);
          s += e.type === "escape_sequence" ? decodeEscape(e.text) : e.text;
          pos = e.endIndex;
        }
        s += c.text.slice(pos - c.startIndex);
      }
    } else if (c.type === "escape_sequence") s += raw ? c.text : decodeEscape(c.text);
    else if (c.type === "interpolation") return null;
  }
  return s;
}

function decodeEscape(text: string): string {
  const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", a: "\x07", b: "\b", f: "\f", v: "\v" };
  const c = text[1] ?? "";
  if (c in simple && text.length === 2) return simple[c]!;
  if (c === "x" || c === "u" || c === "U") return String.fromCodePoint(parseInt(text.slice(2), 16) || 0);
  if (/[0-7]/.test(c)) return String.fromCodePoint(parseInt(text.slice(1), 8) || 0);
  return text;
}

export function isStringLiteral(node: Node): boolean {
  const n = unwrap(node);
  return n.type === "string" || n.type === "concatenated_string";
}

export function isLiteral(node: Node): boolean {
  const n = unwrap(node);
  return ["string", "concatenated_string", "integer", "float", "true", "false", "none"].includes(n.type);
}

/** Elements of a literal list/tuple/set of strings, else null. */
export function stringCollection(node: Node): string[] | null {
  const n = unwrap(node);
  if (!["list", "tuple", "set"].includes(n.type)) return null;
  const out: string[] = [];
  for (const c of n.namedChildren) {
    if (c.type === "comment") continue;
    const v = stringValue(c);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

/** Left-hand target names of an assignment-like node. */
export function targetNames(target: Node): string[] {
  const n = unwrap(target);
  if (n.type === "identifier") return [n.text];
  if (["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"].includes(n.type)) return n.namedChildren.flatMap(targetNames);
  if (n.type === "list_splat_pattern") return n.namedChildren.flatMap(targetNames);
  return [];
}

/**
 * Flow-insensitive def-use map of one function: variable -> names its definitions read.
 * Covers assignments, augmented assignments, for-loop targets, with-as, walrus and comprehension
 * variables. Closure over it answers "is x derived from parameter p".
 */
export class DefUse {
  readonly deps = new Map<string, Set<string>>();
  /** Variables bound by a `for` over an expression, with the iterated expression. */
  readonly loopSources = new Map<string, Node[]>();
  readonly assignedValues = new Map<string, Node[]>();

  private static readonly cache = new WeakMap<Node, DefUse>();

  /** The def-use map of `scope`, built once per scope node (it never changes once built). */
  static of(scope: Node): DefUse {
    let du = DefUse.cache.get(scope);
    if (!du) DefUse.cache.set(scope, (du = new DefUse(scope)));
    return du;
  }

  constructor(readonly scope: Node) {
    for (const n of ofTypes(scope, ["assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression", "as_pattern"], { intoFunctions: false })) {
      if (n.type === "assignment" || n.type === "augmented_assignment") {
        const left = n.childForFieldName("left");
        const right = n.childForFieldName("right");
        if (!left || !right) continue;
        const reads = namesIn(right);
        for (const t of targetNames(left)) {
          this.add(t, reads);
          if (n.type === "augmented_assignment") this.add(t, new Set([t]));
          this.pushValue(t, right);
        }
      } else if (n.type === "for_statement" || n.type === "for_in_clause") {
        const left = n.childForFieldName("left");
        const right = n.childForFieldName("right");
        if (!left || !right) continue;
        for (const t of targetNames(left)) {
          this.add(t, namesIn(right));
          const arr = this.loopSources.get(t) ?? [];
          arr.push(right);
          this.loopSources.set(t, arr);
        }
      } else if (n.type === "named_expression") {
        const name = n.childForFieldName("name")?.text;
        const value = n.childForFieldName("value");
        if (name && value) {
          this.add(name, namesIn(value));
          this.pushValue(name, value);
        }
      } else if (n.type === "as_pattern") {
        const alias = n.childForFieldName("alias");
        const value = n.namedChildren[0];
        if (alias && value) for (const t of targetNames(alias.namedChildren[0] ?? alias)) this.add(t, namesIn(value));
      }
    }
  }

  private add(name: string, reads: Set<string>): void {
    const set = this.deps.get(name) ?? new Set<string>();
    for (const r of reads) set.add(r);
    this.deps.set(name, set);
  }

  private pushValue(name: string, value: Node): void {
    const arr = this.assignedValues.get(name) ?? [];
    arr.push(value);
    this.assignedValues.set(name, arr);
  }

  /** Every name the given names (transitively) derive from, including themselves. */
  closure(names: Iterable<string>): Set<string> {
    return this.closureBy(names, (n) => this.deps.get(n) ?? []);
  }

  /** The given names and every name `next` reaches from them, transitively. */
  closureBy(names: Iterable<string>, next: (name: string) => Iterable<string>): Set<string> {
    const out = new Set<string>();
    const stack = [...names];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (out.has(n)) continue;
      out.add(n);
      for (const d of next(n)) stack.push(d);
    }
    return out;
  }

  /** Names (transitively) derived from the sources (forward direction). */
  derivedFrom(sources: Iterable<string>): Set<string> {
    const out = new Set<string>(sources);
    let changed = true;
    while (changed) {
      changed = false;
      for (const [v, reads] of this.deps) {
        if (out.has(v)) continue;
        for (const r of reads) {
          if (out.has(r)) {
            out.add(v);
            changed = true;
            break;
          }
        }
      }
    }
    return out;
  }

  /** Does the expression read a name derived from any of the sources? */
  exprDerivesFrom(expr: Node, sources: Set<string>): boolean {
    const derived = this.derivedFrom(sources);
    for (const n of namesIn(expr)) if (derived.has(n)) return true;
    return false;
  }
}

/** Names assigned at module level (outside any function or class body). */
export function moduleLevelNames(root: Node): Set<string> {
  const out = new Set<string>();
  for (const stmt of root.namedChildren) {
    const n = stmt.type === "expression_statement" ? stmt.namedChildren[0] : stmt;
    if (!n) continue;
    if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      if (left) for (const t of targetNames(left)) out.add(t);
    } else if (n.type === "function_definition" || n.type === "class_definition") {
      const name = n.childForFieldName("name")?.text;
      if (name) out.add(name);
    } else if (n.type === "decorated_definition") {
      const def = n.childForFieldName("definition");
      const name = def?.childForFieldName("name")?.text;
      if (name) out.add(name);
    }
  }
  return out;
}

/** Names bound locally in a function (parameters, assignment/loop targets), minus `global` ones. */
export function localNames(fn: Node): Set<string> {
  const out = new Set<string>(parameters(fn).map((p) => p.name));
  const globals = new Set<string>();
  for (const n of ofTypes(fn, ["global_statement", "nonlocal_statement", "assignment", "augmented_assignment", "for_statement", "for_in_clause", "class_definition", "function_definition"], { intoFunctions: false })) {
    if (n.type === "global_statement" || n.type === "nonlocal_statement") for (const c of n.namedChildren) globals.add(c.text);
    if (n.type === "assignment" || n.type === "augmented_assignment") {
      const left = n.childForFieldName("left");
      if (left) for (const t of targetNames(left)) out.add(t);
    } else if (n.type === "for_statement" || n.type === "for_in_clause") {
      const left = n.childForFieldName("left");
      if (left) for (const t of targetNames(left)) out.add(t);
    } else if (n.type === "class_definition" || (n.type === "function_definition" && n.id !== fn.id)) {
      const name = n.childForFieldName("name")?.text;
      if (name) out.add(name);
    }
  }
  for (const g of globals) out.delete(g);
  // Names of enclosing functions are closure variables: local to the call tree, not shared state.
  for (let p = fn.parent; p; p = p.parent) {
    if (p.type === "function_definition") for (const n of localNames(p)) if (!globals.has(n)) out.add(n);
  }
  return out;
}

/** A condition that holds whenever control reaches a node, with its polarity. */
export interface Guard {
  condition: Node;
  /** true: the condition is true on the way to the node; false: it is false. */
  holds: boolean;
}

const EXIT_TYPES = new Set(["raise_statement", "return_statement", "continue_statement", "break_statement"]);

/** Does a block always leave it (every path ends in raise/return/continue/break)? */
export function alwaysExits(block: Node | null): boolean {
  if (!block) return false;
  const stmts = block.namedChildren.filter((c) => c.type !== "comment");
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (EXIT_TYPES.has(last.type)) return true;
  if (last.type === "expression_statement") {
    const call = last.namedChildren[0];
    if (call?.type === "call" && ["sys.exit", "exit", "abort", "os._exit", "quit"].includes(dottedName(call.childForFieldName("function")!) ?? "")) return true;
  }
  if (last.type === "if_statement") {
    const alternatives = last.namedChildren.filter((c) => c.type === "elif_clause" || c.type === "else_clause");
    if (!alternatives.some((a) => a.type === "else_clause")) return false;
    if (!alwaysExits(last.childForFieldName("consequence"))) return false;
    return alternatives.every((a) => alwaysExits(a.childForFieldName(a.type === "else_clause" ? "body" : "consequence")));
  }
  return false;
}

/**
 * Conditions that dominate `node` inside its function: branch conditions of enclosing if/elif/else
 * and while, ternaries, comprehension filters, plus early-exit guards (`if C: raise`) and asserts
 * that precede an enclosing statement in its block.
 */
export function guardsOf(node: Node, stopAt?: Node): Guard[] {
  const out: Guard[] = [];
  let child: Node = node;
  for (let p = node.parent; p && p.id !== stopAt?.id; child = p, p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda") break;
    if (p.type === "if_statement") {
      const cond = p.childForFieldName("condition");
      const cons = p.childForFieldName("consequence");
      if (cond && cons && cons.id === child.id) out.push({ condition: cond, holds: true });
      else if (child.type === "elif_clause" || child.type === "else_clause") {
        if (cond) out.push({ condition: cond, holds: false });
        for (const alt of p.namedChildren) {
          if (alt.id === child.id) break;
          if (alt.type === "elif_clause") {
            const c = alt.childForFieldName("condition");
            if (c) out.push({ condition: c, holds: false });
          }
        }
      }
    } else if (p.type === "elif_clause") {
      const cond = p.childForFieldName("condition");
      if (cond && p.childForFieldName("consequence")?.id === child.id) out.push({ condition: cond, holds: true });
    } else if (p.type === "while_statement") {
      const cond = p.childForFieldName("condition");
      if (cond && p.childForFieldName("body")?.id === child.id) out.push({ condition: cond, holds: true });
    } else if (p.type === "conditional_expression") {
      const [thenExpr, cond, elseExpr] = p.namedChildren;
      if (cond && thenExpr?.id === child.id) out.push({ condition: cond, holds: true });
      if (cond && elseExpr?.id === child.id) out.push({ condition: cond, holds: false });
    } else if (["list_comprehension", "dictionary_comprehension", "set_comprehension", "generator_expression"].includes(p.type)) {
      const body = p.childForFieldName("body");
      if (body && body.id === child.id) for (const c of p.namedChildren) if (c.type === "if_clause" && c.namedChildren[0]) out.push({ condition: c.namedChildren[0], holds: true });
    } else if (p.type === "boolean_operator") {
      // In `a and b`, b is evaluated only when a holds (`a or b`: when a fails).
      const left = p.childForFieldName("left");
      const right = p.childForFieldName("right");
      const op = p.children.find((c) => c.type === "and" || c.type === "or")?.type;
      if (left && right && right.id === child.id) out.push({ condition: left, holds: op === "and" });
    } else if (p.type === "block" || p.type === "module") {
      for (const stmt of p.namedChildren) {
        if (stmt.id === child.id) break;
        if (stmt.type === "if_statement") {
          const cond = stmt.childForFieldName("condition");
          const alts = stmt.namedChildren.filter((c) => c.type === "elif_clause" || c.type === "else_clause");
          if (cond && alts.length === 0 && alwaysExits(stmt.childForFieldName("consequence"))) out.push({ condition: cond, holds: false });
        } else if (stmt.type === "assert_statement" && stmt.namedChildren[0]) out.push({ condition: stmt.namedChildren[0], holds: true });
      }
    }
  }
  return out;
}

/** 1-based line and the Finding position fields for a node. */
export function position(node: Node): { line: number; endLine: number; col: number; endCol: number } {
  return { line: node.startPosition.row + 1, endLine: node.endPosition.row + 1, col: node.startPosition.column, endCol: node.endPosition.column };
}

/** Split an identifier into lower-case words (`userSig` / `user_sig` -> [user, sig]). */
export function words(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
