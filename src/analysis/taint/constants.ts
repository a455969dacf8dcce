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
import { literalValue, isTruthy, type PyValue } from "../python/literals.js";
import type { CfgEdge, SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";
import type { Program } from "./program.js";

const MAX_DEPTH = 32;
/** Folded strings longer than this are not built (`"a" * 10**9`). */
const MAX_STRING = 10_000;

type Value = PyValue | undefined;

export class Constants {
  private readonly truthCache = new Map<string, boolean | null>();
  /** Per function node: names a `global` or `nonlocal` statement in it (or a nested scope) names. */
  private readonly escaping = new Map<number, Set<string>>();

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
    if ((e.kind !== "true" && e.kind !== "false") || !e.cond) return false;
    const t = this.truth(e.cond, fn);
    return t !== null && t !== (e.kind === "true");
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
      case "tuple":
      case "list":
      case "set": {
        const items: PyValue[] = [];
        for (const c of u.namedChildren) {
          if (c.type === "comment") continue;
          const v = this.fold(c, fn, d);
          if (!v) return undefined;
          items.push(v);
        }
        return { kind: u.type, items };
      }
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
    return this.p.resolveAssigned(id, fn);
  }

  private escapingNames(fn: FunctionInfo): Set<string> {
    let out = this.escaping.get(fn.node.id);
    if (!out) {
      out = new Set();
      for (const s of [...fn.node.descendantsOfType("global_statement"), ...fn.node.descendantsOfType("nonlocal_statement")]) for (const c of s.namedChildren) if (c.type === "identifier") out.add(c.text);
      this.escaping.set(fn.node.id, out);
    }
    return out;
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
