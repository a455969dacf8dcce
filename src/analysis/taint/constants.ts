/**
 * Constant conditions: whether a branch test always holds or always fails, so the solver can drop
 * the edge that never runs (`if 7 * 42 - num > 200: ... else: ...` with `num = 86`, or
 * `v if "a" in "abc" else w`). Code that can never run carries no flow, and treating it as live
 * reports secure code.
 *
 * Soundness is the rule: a condition is decided only when every operand is a literal or a local
 * name whose single reaching definition (SSA) is itself such a constant expression; anything else
 * (a parameter, a global, a call, a float, a merge of definitions, a name a `global` or `nonlocal`
 * statement can rebind) leaves the condition undecided and both edges live.
 */
import { displayValue, literalValue, isTruthy, type PyValue } from "../python/literals.js";
import type { CfgEdge, SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";
import type { Program } from "./program.js";

const MAX_DEPTH = 32;
const SCOPES = new Set(["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression", "lambda", "function_definition", "class_definition"]);
/** Folded strings longer than this are not built (`"a" * 10**9`). */
const MAX_STRING = 10_000;
/** Statements walked back from a list read to the list's literal (longer runs stay unknown). */
const MAX_LIST_STATEMENTS = 256;

type Value = PyValue | undefined;

export class Constants {
  private readonly truthCache = new Map<string, boolean | null>();
  /** Per function node: names a `global` or `nonlocal` statement in it (or a nested scope) names. */
  private readonly escaping = new Map<number, Set<string>>();
  private readonly captured = new Map<number, Set<string>>();
  private readonly lists = new Map<number, Set<string>>();
  private readonly listReads = new Map<string, boolean>();

  constructor(private readonly p: Program) {}

  /** The value a condition always has (`true`/`false`), or null when it is not decided. */
  truth(cond: SyntaxNode, fn: FunctionInfo | null): boolean | null {
    const key = `${fn?.node.id ?? -1}:${cond.id}`;
    let t = this.truthCache.get(key);
    if (t === undefined) {
      const v = this.fold(cond, fn, 0);
      t = v ? isTruthy(v) : null;
      this.truthCache.set(key, t);
    }
    return t;
  }

  /** Whether a branch edge can never be taken: its condition always has the other value. */
  deadEdge(e: CfgEdge, fn: FunctionInfo | null): boolean {
    if (e.kind !== "true" && e.kind !== "false") return false;
    // A case clause's edges: taken when the pattern matches the subject and the guard holds.
    const clause = fn ? caseClauseAt(e, fn) : null;
    if (clause) {
      const taken = this.caseTaken(clause.node, clause.owner, e.cond, fn);
      return taken !== null && taken !== (e.kind === "true");
    }
    if (!e.cond) return false;
    const t = this.truth(e.cond, fn);
    return t !== null && t !== (e.kind === "true");
  }

  /** Whether a case clause is taken (pattern matches and guard holds), or null when undecided. */
  private caseTaken(clause: SyntaxNode, match: SyntaxNode, guard: SyntaxNode | undefined, fn: FunctionInfo | null): boolean | null {
    const subject = match.childForFieldName("subject");
    const value = subject ? this.fold(subject, fn, 0) : undefined;
    const patterns = clause.namedChildren.filter((c) => c.type === "case_pattern");
    const matches = patterns.length === 1 ? patternMatches(patterns[0]!, value, this.p.mod.source) : null;
    const holds = guard ? this.truth(guard, fn) : true;
    if (matches === false || holds === false) return false;
    return matches === true && holds === true ? true : null;
  }

  /** The string an expression always evaluates to (`"ev" + "al"`, a name bound once to one), or null. */
  constantString(n: SyntaxNode, fn: FunctionInfo | null): string | null {
    const v = this.fold(n, fn, 0);
    return v?.kind === "str" ? v.value : null;
  }

  private fold(n: SyntaxNode, fn: FunctionInfo | null, depth: number): Value {
    if (depth > MAX_DEPTH) return undefined;
    const u = unparen(n);
    const d = depth + 1;
    switch (u.type) {
      case "integer":
      case "string":
      case "concatenated_string":
      case "true":
      case "false":
      case "none":
        return literalValue(u, this.p.mod.source);
      case "identifier": {
        const def = this.localDefinition(u, fn);
        return def ? this.fold(def, fn, d) : undefined;
      }
      case "unary_operator": {
        const op = u.childForFieldName("operator")?.text;
        const v = asInt(this.fold(u.childForFieldName("argument")!, fn, d));
        if (v === undefined) return undefined;
        if (op === "-") return int(-v);
        if (op === "+") return int(v);
        if (op === "~") return int(-v - 1n);
        return undefined;
      }
      case "not_operator": {
        const v = this.fold(u.childForFieldName("argument")!, fn, d);
        return v ? { kind: "bool", value: !isTruthy(v) } : undefined;
      }
      case "boolean_operator": {
        // Python returns an operand; the right one is only reached when the left does not decide.
        const left = this.fold(u.childForFieldName("left")!, fn, d);
        if (!left) return undefined;
        const and = u.childForFieldName("operator")?.text === "and";
        if (isTruthy(left) !== and) return left;
        return this.fold(u.childForFieldName("right")!, fn, d);
      }
      case "conditional_expression": {
        const [a, cond, b] = u.namedChildren;
        const c = cond ? this.fold(cond, fn, d) : undefined;
        if (!c || !a || !b) return undefined;
        return this.fold(isTruthy(c) ? a : b, fn, d);
      }
      case "binary_operator":
        return binary(u.childForFieldName("operator")?.text ?? "", this.fold(u.childForFieldName("left")!, fn, d), this.fold(u.childForFieldName("right")!, fn, d));
      case "comparison_operator":
        return this.comparison(u, fn, d);
      case "subscript": {
        // `"ABC"[1]`: one character of a constant string (by code point, as Python indexes).
        const of = this.fold(u.childForFieldName("value")!, fn, d);
        const index = u.childrenForFieldName("subscript");
        const i = index.length === 1 ? asInt(this.fold(index[0]!, fn, d)) : undefined;
        if (of?.kind !== "str" || i === undefined) return undefined;
        const chars = Array.from(of.value);
        const at = i < 0n ? BigInt(chars.length) + i : i;
        return at >= 0n && at < BigInt(chars.length) ? { kind: "str", value: chars[Number(at)]! } : undefined;
      }
      case "tuple":
      case "list":
      case "set":
        return displayValue(u, (c) => this.fold(c, fn, d));
      default:
        return undefined;
    }
  }

  private comparison(u: SyntaxNode, fn: FunctionInfo | null, d: number): Value {
    const operands = u.namedChildren.filter((c) => c.type !== "comment");
    const ops = u.children.filter((c) => !c.isNamed).map((c) => c.type);
    if (ops.length !== operands.length - 1 || ops.length === 0) return undefined;
    // A chain `a < b < c` holds when every link does; a failing link decides it whatever follows.
    let left = this.fold(operands[0]!, fn, d);
    if (!left) return undefined;
    for (let i = 0; i < ops.length; i++) {
      const right = this.fold(operands[i + 1]!, fn, d);
      if (!right) return undefined;
      const r = compare(ops[i]!, left, right);
      if (r === undefined) return undefined;
      if (!r) return { kind: "bool", value: false };
      left = right;
    }
    return { kind: "bool", value: true };
  }

  /**
   * The right-hand side of the single definition of a function-local name that reaches this use,
   * or null: parameters, globals, merges and names other scopes may rebind are not constants.
   */
  private localDefinition(id: SyntaxNode, fn: FunctionInfo | null): SyntaxNode | null {
    if (!fn) return null;
    const version = this.p.versionAt(id, fn);
    if (version === null || version <= 0) return null;
    if (this.escapingNames(fn).has(id.text)) return null;
    // A comprehension (or a lambda) has its own scope: its variable may shadow the local.
    for (let n = id.parent; n && n.id !== fn.node.id; n = n.parent) if (SCOPES.has(n.type)) return null;
    return this.p.resolveAssigned(id, fn);
  }

  /**
   * Whether `read` (`lst[k]`, k a constant int) reads an element the function put there as a
   * constant: `lst` is built from a list literal earlier in the same statement list, and every
   * statement between only changes it with append/insert/pop/remove/extend/clear/reverse or
   * `lst[k] = v` with constant arguments, so the list's shape at the read is known. Any other use
   * of the list (passed to a call, aliased, captured by a closure, reached through a branch or a
   * loop) leaves the shape unknown and the read gets the whole list's taint as before.
   */
  constantListElement(read: SyntaxNode, fn: FunctionInfo | null): boolean {
    if (!fn) return false;
    const value = read.childForFieldName("value");
    if (value?.type !== "identifier" || !this.listNames(fn).has(value.text)) return false;
    // The answer depends on the syntax only; the solver asks again on every pass.
    const key = `${fn.node.id}:${read.id}`;
    let known = this.listReads.get(key);
    if (known === undefined) this.listReads.set(key, (known = this.simulateList(read, value.text, fn)));
    return known;
  }

  private simulateList(read: SyntaxNode, name: string, fn: FunctionInfo): boolean {
    const idxs = read.childrenForFieldName("subscript");
    if (idxs.length !== 1) return false;
    const index = asInt(this.fold(idxs[0]!, fn, 0));
    if (index === undefined || this.escapingNames(fn).has(name) || this.capturedNames(fn).has(name)) return false;
    // The statement holding the read, in the function's own scope.
    let stmt: SyntaxNode = read;
    while (stmt.parent && stmt.parent.type !== "block") {
      if (["function_definition", "lambda", "class_definition"].includes(stmt.type)) return false;
      stmt = stmt.parent;
    }
    if (!stmt.parent || !insideScope(stmt.parent, fn.node)) return false;
    // In the reading statement, the list is only read at constant indexes.
    for (const id of identifiers(stmt, name)) {
      const sub = id.parent;
      if (sub?.type !== "subscript" || sub.childForFieldName("value")?.id !== id.id || sub.childrenForFieldName("subscript").length !== 1) return false;
      if (asInt(this.fold(sub.childrenForFieldName("subscript")[0]!, fn, 0)) === undefined) return false;
      const up = sub.parent;
      if (up && (up.type === "assignment" || up.type === "augmented_assignment") && up.childForFieldName("left")?.id === sub.id) return false;
      if (up?.type === "delete_statement") return false;
    }
    const ops: SyntaxNode[] = [];
    let budget = MAX_LIST_STATEMENTS;
    for (let s = stmt.previousNamedSibling; s; s = s.previousNamedSibling) {
      if (s.type === "comment" || s.type === "pass_statement") continue;
      if (--budget < 0) return false;
      if (s.type !== "expression_statement") return false;
      const list = this.listDefinition(s, name);
      if (list) {
        const elements = list.namedChildren.filter((c) => c.type !== "comment");
        if (elements.some((c) => c.type === "list_splat" || identifiers(c, name).length > 0)) return false;
        let shape: Value[] = elements.map((c) => this.fold(c, fn, 0));
        for (const op of ops.reverse()) {
          const next = this.applyListOp(op, name, shape, fn);
          if (!next) return false;
          shape = next;
        }
        const i = index < 0n ? index + BigInt(shape.length) : index;
        return i >= 0n && i < BigInt(shape.length) && shape[Number(i)] !== undefined;
      }
      if (identifiers(s, name).length) ops.push(s);
    }
    return false;
  }

  /** The list literal of `name = [...]`, or null. */
  private listDefinition(s: SyntaxNode, name: string): SyntaxNode | null {
    const a = s.namedChildren[0];
    if (s.namedChildCount !== 1 || a?.type !== "assignment") return null;
    const left = a.childForFieldName("left");
    const right = a.childForFieldName("right");
    return left?.type === "identifier" && left.text === name && right?.type === "list" ? right : null;
  }

  /** The list's elements after one statement that changes it (undefined: not a constant element), or null when unknown. */
  private applyListOp(s: SyntaxNode, name: string, shape: Value[], fn: FunctionInfo): Value[] | null {
    const e = s.namedChildren[0];
    if (s.namedChildCount !== 1 || !e) return null;
    const out = [...shape];
    const at = (n: SyntaxNode | undefined, insert: boolean): number | null => {
      const k = n ? asInt(this.fold(n, fn, 0)) : undefined;
      if (k === undefined) return null;
      const len = BigInt(out.length);
      let i = k < 0n ? k + len : k;
      // insert() clamps its index; reads and pops out of range raise.
      if (insert) i = i < 0n ? 0n : i > len ? len : i;
      else if (i < 0n || i >= len) return null;
      return Number(i);
    };
    if (e.type === "assignment") {
      const left = e.childForFieldName("left");
      const right = e.childForFieldName("right");
      if (left?.type !== "subscript" || left.childForFieldName("value")?.text !== name || !right || identifiers(right, name).length) return null;
      const i = at(left.childrenForFieldName("subscript").length === 1 ? left.childrenForFieldName("subscript")[0] : undefined, false);
      if (i === null) return null;
      out[i] = this.fold(right, fn, 0);
      return out;
    }
    const callee = e.type === "call" ? e.childForFieldName("function") : null;
    if (callee?.type !== "attribute" || callee.childForFieldName("object")?.text !== name || callee.childForFieldName("object")?.type !== "identifier") return null;
    const argList = e.childForFieldName("arguments");
    const args = argList ? argList.namedChildren.filter((c) => c.type !== "comment") : [];
    if (args.some((c) => c.type === "keyword_argument" || c.type === "list_splat" || c.type === "dictionary_splat" || identifiers(c, name).length)) return null;
    switch (callee.childForFieldName("attribute")?.text) {
      case "append":
        if (args.length !== 1) return null;
        out.push(this.fold(args[0]!, fn, 0));
        return out;
      case "insert": {
        const i = args.length === 2 ? at(args[0], true) : null;
        if (i === null) return null;
        out.splice(i, 0, this.fold(args[1]!, fn, 0));
        return out;
      }
      case "pop": {
        const i = args.length === 0 ? (out.length ? out.length - 1 : null) : args.length === 1 ? at(args[0], false) : null;
        if (i === null) return null;
        out.splice(i, 1);
        return out;
      }
      case "remove": {
        // The first equal element goes; an element of unknown value might be it.
        const v = args.length === 1 ? this.fold(args[0]!, fn, 0) : undefined;
        if (!v) return null;
        for (let i = 0; i < out.length; i++) {
          const x = out[i];
          const eq = x ? equal(v, x) : undefined;
          if (eq === undefined) return null;
          if (eq) {
            out.splice(i, 1);
            return out;
          }
        }
        return null;
      }
      case "extend": {
        const lit = args.length === 1 ? unparen(args[0]!) : null;
        if (!lit || (lit.type !== "list" && lit.type !== "tuple")) return null;
        for (const c of lit.namedChildren) {
          if (c.type === "comment") continue;
          if (c.type === "list_splat") return null;
          out.push(this.fold(c, fn, 0));
        }
        return out;
      }
      case "clear":
        return args.length ? null : [];
      case "reverse":
        return args.length ? null : out.reverse();
      default:
        return null;
    }
  }

  /** Names `fn` binds to a list literal somewhere (only they can have a known shape). */
  private listNames(fn: FunctionInfo): Set<string> {
    return namesOnce(this.lists, fn, (out) => {
      for (const a of fn.node.descendantsOfType("assignment")) {
        const left = a.childForFieldName("left");
        if (left?.type === "identifier" && a.childForFieldName("right")?.type === "list") out.add(left.text);
      }
    });
  }

  /** Names that a nested function, lambda or class of `fn` mentions (a closure may change them at any call). */
  private capturedNames(fn: FunctionInfo): Set<string> {
    return namesOnce(this.captured, fn, (out) => {
      const body = fn.node.type === "lambda" ? null : fn.node.childForFieldName("body");
      const stack = body ? [...body.namedChildren] : [];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") for (const id of n.descendantsOfType("identifier")) out.add(id.text);
        else stack.push(...n.namedChildren);
      }
    });
  }

  private escapingNames(fn: FunctionInfo): Set<string> {
    return namesOnce(this.escaping, fn, (out) => {
      for (const s of fn.node.descendantsOfType(["global_statement", "nonlocal_statement"])) for (const c of s.namedChildren) if (c.type === "identifier") out.add(c.text);
    });
  }
}

function int(v: bigint): PyValue {
  return { kind: "int", value: v };
}

/** An int operand (bool is an int in Python), or undefined. */
function asInt(v: Value): bigint | undefined {
  if (v?.kind === "int") return v.value;
  if (v?.kind === "bool") return v.value ? 1n : 0n;
  return undefined;
}

function binary(op: string, l: Value, r: Value): Value {
  if (!l || !r) return undefined;
  if (l.kind === "str" && r.kind === "str") {
    if (op !== "+" || l.value.length + r.value.length > MAX_STRING) return undefined;
    return { kind: "str", value: l.value + r.value };
  }
  const a = asInt(l);
  const b = asInt(r);
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case "+":
      return int(a + b);
    case "-":
      return int(a - b);
    case "*":
      return int(a * b);
    case "//":
      return b === 0n ? undefined : int(floorDiv(a, b));
    case "%":
      return b === 0n ? undefined : int(a - b * floorDiv(a, b));
    default:
      return undefined;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** One comparison link; undefined when Python's answer is not certain from the two values. */
function compare(op: string, l: PyValue, r: PyValue): boolean | undefined {
  switch (op) {
    case "in":
    case "not in": {
      const has = contains(r, l);
      return has === undefined ? undefined : has === (op === "in");
    }
    case "is":
    case "is not":
      // Identity is only certain for None.
      if (l.kind !== "none" && r.kind !== "none") return undefined;
      return (l.kind === r.kind) === (op === "is");
    case "==":
    case "!=": {
      const eq = equal(l, r);
      return eq === undefined ? undefined : eq === (op === "==");
    }
  }
  const a = asInt(l);
  const b = asInt(r);
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    default:
      return undefined;
  }
}

function equal(l: PyValue, r: PyValue): boolean | undefined {
  const a = asInt(l);
  const b = asInt(r);
  if (a !== undefined && b !== undefined) return a === b;
  if (l.kind === "str" && r.kind === "str") return l.value === r.value;
  if (l.kind === "none" || r.kind === "none") return l.kind === r.kind;
  // A str never equals a number; other mixes (floats, bytes, containers) are left undecided.
  if ((l.kind === "str" && b !== undefined) || (r.kind === "str" && a !== undefined)) return false;
  return undefined;
}

function contains(container: PyValue, item: PyValue): boolean | undefined {
  if (container.kind === "str") return item.kind === "str" ? container.value.includes(item.value) : undefined;
  if (container.kind !== "tuple" && container.kind !== "list" && container.kind !== "set") return undefined;
  let unknown = false;
  for (const x of container.items) {
    const eq = equal(item, x);
    if (eq) return true;
    if (eq === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/** The identifiers named `name` in a subtree. */
function identifiers(n: SyntaxNode, name: string): SyntaxNode[] {
  if (!n.text.includes(name)) return [];
  if (n.type === "identifier") return n.text === name ? [n] : [];
  return n.descendantsOfType("identifier").filter((id) => id.text === name);
}

/** Whether a block belongs to `scope` itself rather than to a function nested in it. */
function insideScope(block: SyntaxNode, scope: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = block.parent; n; n = n.parent) {
    if (n.id === scope.id) return true;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") return false;
  }
  return false;
}

/** The case clause whose test block `e` leaves (the last `case` element of that block), if any. */
function caseClauseAt(e: CfgEdge, fn: FunctionInfo): { node: SyntaxNode; owner: SyntaxNode } | null {
  const elements = fn.cfg.blocks[e.from]?.elements ?? [];
  for (let i = elements.length - 1; i >= 0; i--) {
    const el = elements[i]!;
    if (el.kind === "case") return el.owner ? { node: el.node, owner: el.owner } : null;
    if (el.kind !== "cond") return null;
  }
  return null;
}

/**
 * Whether a case pattern matches a constant subject: `_` and a bare capture name always do; a
 * literal does when it equals the subject; `a | b` when an alternative does. Anything else (value
 * patterns `Color.RED`, signed numbers, sequences, classes, an unknown subject against a literal)
 * is undecided.
 */
function patternMatches(p: SyntaxNode, v: Value, source: string): boolean | null {
  if (p.type === "case_pattern") {
    if (p.text.trim() === "_") return true;
    const inner = p.namedChildren.filter((c) => c.type !== "comment");
    return inner.length === 1 && inner[0]!.text === p.text.trim() ? patternMatches(inner[0]!, v, source) : null;
  }
  if (p.type === "union_pattern") {
    if (p.children.some((c) => !c.isNamed && c.type !== "|")) return null;
    const alternatives = p.namedChildren.filter((c) => c.type !== "comment").map((c) => patternMatches(c, v, source));
    if (alternatives.some((a) => a === true)) return true;
    return alternatives.every((a) => a === false) ? false : null;
  }
  if (p.type === "dotted_name") return p.namedChildren.length === 1 ? true : null;
  if (["string", "concatenated_string", "integer", "true", "false", "none"].includes(p.type)) {
    const lit = literalValue(p, source);
    if (!lit || !v) return null;
    const same = equal(lit, v);
    return same === undefined ? null : same;
  }
  return null;
}

/** A set of names computed once per function (`collect` fills it) and kept in `cache`. */
function namesOnce(cache: Map<number, Set<string>>, fn: FunctionInfo, collect: (out: Set<string>) => void): Set<string> {
  let out = cache.get(fn.node.id);
  if (!out) {
    out = new Set();
    collect(out);
    cache.set(fn.node.id, out);
  }
  return out;
}
