/**
 * The code-flow narrowing pass: what a branch condition (or a checking loop) establishes about
 * the values it tests, applied to the taint state on the CFG edge where it holds.
 *
 * `checks(cond, truth)` maps checked names to the classes they are validated for when `cond`
 * evaluates to `truth`: allow-list membership, equality, anchored regex matches, isdigit-style
 * predicates, isinstance with non-string types, containment of a normalized path, host or scheme
 * allow-lists on a parsed URL, and the `not`/`and`/`or` combinations of these. Because a guard
 * whose failing branch raises or returns leaves only the passing edge into the rest of the
 * function, a dominating guard needs no special case.
 */
import type { Cfg, CfgEdge, SyntaxNode } from "../python/cfg.js";
import { targetNames } from "../python/ssa.js";
import { unparen, type FunctionInfo, type Run } from "./context.js";
import { clear, type State, type Taint } from "./facts.js";
import { ALL_CLASSES_MASK, CLASS_BIT, classMask, type VulnClass } from "./models/index.js";
import type { Program } from "./program.js";
import { quoteAbsence, quotedLiteralChecks } from "./quotes.js";

export type StateReader = (state: State, key: string) => Taint;

function isAnchoredPattern(p: string, needStart: boolean): boolean {
  const start = p.startsWith("^") || p.startsWith("\\A");
  const end = (p.endsWith("$") && !p.endsWith("\\$")) || p.endsWith("\\Z") || p.endsWith("\\z");
  return end && (start || !needStart);
}

const EXITS = new Set(["raise_statement", "return_statement", "continue_statement"]);

/** Whether some `try` around `stmt` (in its body) has a handler that goes on after the failure. */
export function swallowsFailure(stmt: SyntaxNode): boolean {
  let child = stmt;
  for (let p = stmt.parent; p && p.type !== "function_definition" && p.type !== "module"; child = p, p = p.parent) {
    if (p.type !== "try_statement" || p.childForFieldName("body")?.id !== child.id) continue;
    for (const h of p.namedChildren) {
      if (h.type !== "except_clause" && h.type !== "except_group_clause") continue;
      const block = h.namedChildren.find((x) => x.type === "block");
      const last = block?.namedChildren.filter((x) => x.type !== "comment").at(-1);
      if (!last || !EXITS.has(last.type)) return true;
    }
  }
  return false;
}

/** Adds class masks to checked names in `out`. */
function adder(out: Map<string, number>): (names: string[], mask: number) => void {
  return (names, mask) => {
    for (const n of names) out.set(n, (out.get(n) ?? 0) | mask);
  };
}

export class Guards {
  private readonly validatesCache = new Map<string, boolean>();
  private readonly loopChecks = new Map<number, { roots: string[]; mask: number } | null>();

  constructor(
    private readonly p: Program,
    private readonly read: StateReader,
  ) {}

  /**
   * Names a check on `expr` validates: the value itself and the values it is a view of. A name
   * whose reaching definition is a view (`host = urlparse(url).hostname`, `p = realpath(p0)`)
   * also names what that definition viewed.
   */
  roots(expr: SyntaxNode, fn: FunctionInfo | null, depth = 0): string[] {
    if (depth > 32) return [];
    const e = unparen(expr);
    if (e.type === "identifier") {
      const out = [e.text];
      const def = this.p.resolveAssigned(e, fn);
      const d = def ? unparen(def) : null;
      if (d && (d.type === "attribute" || (d.type === "call" && this.p.viewOfCall(d)))) for (const r of this.roots(d, fn, depth + 1)) if (r !== e.text) out.push(r);
      if (!def) for (const r of this.unpackedRoots(e, fn, depth)) if (!out.includes(r)) out.push(r);
      return out;
    }
    if (e.type === "attribute") {
      const obj = unparen(e.childForFieldName("object")!);
      const out = this.roots(obj, fn, depth + 1);
      if (obj.type === "identifier") out.push(`${obj.text}.${e.childForFieldName("attribute")!.text}`);
      return out;
    }
    if (e.type === "call") {
      const view = this.p.viewOfCall(e);
      if (view) return this.roots(view.base, fn, depth + 1);
    }
    return [];
  }

  /**
   * `os.path.commonpath(...)` / `commonprefix(...)`, directly or as the reaching definition of a
   * name, or as what a same-file helper returned into that name (`abs_dir, prefix = helper(...)`).
   * With the function the call lives in, and how names there translate to names of `fn`.
   */
  private commonPathCall(n: SyntaxNode, fn: FunctionInfo | null, depth = 0): { call: SyntaxNode; fn: FunctionInfo | null; translate: (roots: string[]) => string[] } | null {
    let u = unparen(n);
    const same = { fn, translate: (roots: string[]) => roots };
    if (u.type === "identifier") {
      const def = this.p.resolveAssigned(u, fn);
      if (!def) return depth < 4 ? this.commonPathFromHelper(u, fn, depth) : null;
      u = unparen(def);
    }
    if (u.type !== "call") return null;
    const q = this.p.qname(u.childForFieldName("function")!);
    return q === "os.path.commonpath" || q === "os.path.commonprefix" || q === "posixpath.commonpath" ? { call: u, ...same } : null;
  }

  private commonPathFromHelper(name: SyntaxNode, fn: FunctionInfo | null, depth: number): ReturnType<Guards["commonPathCall"]> {
    const unpack = this.p.unpackedFrom(name, fn);
    const helper = unpack ? this.sameFileCallee(unpack.call) : null;
    const tuple = unpack && helper && helper !== fn ? this.singleReturnedTuple(helper, unpack.targets.length) : null;
    if (!unpack || !helper || !tuple) return null;
    const inner = this.commonPathCall(tuple[unpack.index]!, helper, depth + 1);
    if (!inner || inner.fn !== helper) return null;
    const args = this.p.args(unpack.call);
    // A helper's name means, in the caller: the argument it was given (a parameter it never
    // rebinds), or the caller's name it was returned into (a name the helper binds once).
    const translate = (roots: string[]): string[] => {
      const out: string[] = [];
      for (const r of roots) {
        if (r.includes(".")) continue;
        const pi = helper.params.indexOf(r);
        if (pi >= 0 && !this.p.rebinds(helper, r)) {
          const arg = args.keywords.get(r) ?? args.positional[pi];
          if (arg) out.push(...this.roots(arg, fn));
          continue;
        }
        const j = tuple.findIndex((x) => x.type === "identifier" && x.text === r);
        const target = j >= 0 ? unpack.targets[j] : undefined;
        if (target?.type === "identifier" && helper.assigns.has(r)) out.push(target.text);
      }
      return out;
    };
    return { call: inner.call, fn: helper, translate };
  }

  /** The elements of the tuple a function's only `return` returns, when it has that length. */
  private singleReturnedTuple(helper: FunctionInfo, length: number): readonly SyntaxNode[] | null {
    const returns = this.p.returnStatements(helper);
    const value = returns.length === 1 ? returns[0]!.namedChildren[0] : undefined;
    const tuple = value ? unparen(value) : null;
    if (!tuple || (tuple.type !== "expression_list" && tuple.type !== "tuple") || tuple.namedChildCount !== length) return null;
    return tuple.namedChildren;
  }

  /** `urlparse(u).hostname`/`.netloc`, or a name assigned from one: a suffix check on it is a domain check. */
  private isHostValue(n: SyntaxNode, fn: FunctionInfo | null, depth = 0): boolean {
    if (depth > 16) return false;
    let e = unparen(n);
    if (e.type === "identifier") e = this.p.resolveAssigned(e, fn) ?? e;
    if (e.type === "call" && e.childForFieldName("function")?.type === "attribute") {
      // `host.lower()` and similar views.
      const obj = e.childForFieldName("function")!.childForFieldName("object");
      if (obj) return this.isHostValue(obj, fn, depth + 1);
    }
    return e.type === "attribute" && ["hostname", "netloc", "host"].includes(e.childForFieldName("attribute")!.text);
  }

  /** What holds when `cond` evaluates to `truth`: validated names with the classes they are safe for. */
  checks(cond: SyntaxNode, truth: boolean, fn: FunctionInfo | null, depth = 0, noFalsy = false): Map<string, number> {
    const out = new Map<string, number>();
    if (depth > 50) return out;
    const add = (names: string[], mask: number): void => {
      for (const n of names) out.set(n, (out.get(n) ?? 0) | mask);
    };
    const c = unparen(cond);
    switch (c.type) {
      case "not_operator": {
        const arg = c.childForFieldName("argument");
        return arg ? this.checks(arg, !truth, fn, depth + 1, noFalsy) : out;
      }
      case "boolean_operator": {
        const op = c.childForFieldName("operator")?.text;
        const l = this.checks(c.childForFieldName("left")!, truth, fn, depth + 1, noFalsy);
        const r = this.checks(c.childForFieldName("right")!, truth, fn, depth + 1, noFalsy);
        const both = (op === "and") === truth;
        if (both) {
          for (const [k, v] of l) out.set(k, v);
          for (const [k, v] of r) out.set(k, (out.get(k) ?? 0) | v);
          // Atoms about one value that only together say what it is (a quoted literal).
          add([...quotedLiteralChecks(c, truth, (x) => this.p.literalString(x, fn)).keys()], CLASS_BIT["code-injection"]);
        } else {
          for (const [k, v] of l) if (r.has(k)) out.set(k, v & r.get(k)!);
        }
        return out;
      }
      case "comparison_operator": {
        const operands = c.namedChildren;
        const ops = c.children.filter((x) => !x.isNamed).map((x) => x.text);
        if (operands.length !== 2) return out;
        const opText = ops.join(" ");
        const [a, b] = operands as [SyntaxNode, SyntaxNode];
        const bu = unparen(b);
        const parentsOf = bu.type === "attribute" && bu.childForFieldName("attribute")?.text === "parents" ? bu.childForFieldName("object") : null;
        if ((opText === "in" && truth) || (opText === "not in" && !truth)) {
          // `base in p.resolve().parents`: the resolved path lies under base.
          if (parentsOf) {
            if (this.p.isNormalizedPath(parentsOf, fn)) add(this.roots(parentsOf, fn), CLASS_BIT["path-traversal"]);
          } else add(this.roots(a, fn), ALL_CLASSES_MASK);
        }
        if ((opText === "in" && !truth) || (opText === "not in" && truth)) {
          const lit = this.p.literalString(a, fn);
          // `"\n" in value` failing: the value has no line break, so it cannot split a header or line.
          if (lit !== null && /[\r\n]/.test(lit)) add(this.roots(b, fn), CLASS_BIT.injection);
          // `".." in name` failing: no parent step, so the name cannot climb out of a base folder.
          if (lit !== null && lit.includes("..")) add(this.roots(b, fn), CLASS_BIT["path-traversal"]);
        }
        for (const [k, v] of quoteAbsence(c, truth, (x) => this.p.literalString(x, fn))) add([k], v);
        const common = this.commonPathCall(a, fn) ?? this.commonPathCall(b, fn);
        if (common) {
          // `commonpath([base, p]) == base`: containment, meaningful only for normalized paths.
          if ((opText === "==" && truth) || (opText === "!=" && !truth)) {
            const list = this.p.args(common.call).positional[0];
            if (list && (list.type === "list" || list.type === "tuple")) for (const item of list.namedChildren) if (this.p.isNormalizedPath(item, common.fn)) add(common.translate(this.roots(item, common.fn)), CLASS_BIT["path-traversal"]);
          }
          return out;
        }
        if ((opText === "==" && truth) || (opText === "!=" && !truth)) {
          add(this.roots(a, fn), ALL_CLASSES_MASK);
          add(this.roots(b, fn), ALL_CLASSES_MASK);
        }
        return out;
      }
      case "call":
        return this.callChecks(c, truth, fn, depth);
      case "identifier": {
        // A falsy value (empty string, None) carries nothing.
        if (!truth && !noFalsy) add(this.roots(c, fn), ALL_CLASSES_MASK);
        // `ok = validator(x)` ... `if ok:` (the definition of `ok` that reaches the test).
        const assigned = this.p.resolveAssigned(c, fn);
        if (assigned && assigned.type === "call") for (const [k, v] of this.callChecks(assigned, truth, fn, depth + 1)) out.set(k, (out.get(k) ?? 0) | v);
        return out;
      }
      case "attribute":
        if (!truth && !noFalsy) add(this.roots(c, fn), ALL_CLASSES_MASK);
        return out;
      default:
        return out;
    }
  }

  private callChecks(c: SyntaxNode, truth: boolean, fn: FunctionInfo | null, depth: number): Map<string, number> {
    const out = new Map<string, number>();
    const parts = this.callParts(c);
    if (!parts) return out;
    const { args, q, method, receiver } = parts;
    const add = adder(out);
    // all(P(e) for e in X) / any(not P(e) for e in X)
    if ((q === "all" && truth) || (q === "any" && !truth)) {
      const gen = args.positional[0];
      if (gen?.type === "generator_expression") {
        const body = gen.childForFieldName("body");
        const clauses = gen.namedChildren.filter((x) => x.type === "for_in_clause");
        if (body && clauses.length === 1 && !gen.namedChildren.some((x) => x.type === "if_clause")) {
          const left = clauses[0]!.childrenForFieldName("left");
          const right = clauses[0]!.childForFieldName("right");
          const vars = left.flatMap((l) => targetNames(l));
          const inner = this.checks(body, q === "all", fn, depth + 1);
          let mask = 0;
          for (const v of vars) if (inner.has(v)) mask |= inner.get(v)!;
          if (vars.length && mask && right) add(this.roots(right, fn), mask);
        }
      }
      return out;
    }
    // any(x == h for h in HOSTS) / any(x.endswith(d) for d in DOMAINS): some allowed item matched x.
    if (q === "any" && truth) {
      const gen = args.positional[0];
      if (gen?.type === "generator_expression") {
        const body = gen.childForFieldName("body");
        const clauses = gen.namedChildren.filter((x) => x.type === "for_in_clause");
        if (body && clauses.length === 1) {
          const vars = new Set(clauses[0]!.childrenForFieldName("left").flatMap((l) => targetNames(l)));
          for (const [k, v] of this.checks(body, true, fn, depth + 1)) if (!vars.has(k.split(".")[0]!)) add([k], v);
        }
      }
      return out;
    }
    // A same-file predicate (`def is_safe(p): return realpath(p).startswith(BASE)`): what its
    // returned condition establishes about its parameters holds for the arguments.
    if (!method && q !== null) for (const [k, v] of this.helperChecks(c, truth, fn, depth)) out.set(k, (out.get(k) ?? 0) | v);
    if (!truth) return out;
    if (method === "endswith" && receiver && this.isHostValue(receiver, fn)) {
      add(this.roots(receiver, fn), CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      return out;
    }
    if (q === "isinstance") {
      const [x, t] = args.positional;
      if (x && t && !/\b(str|bytes|object|dict|list)\b/.test(t.text)) add(this.roots(x, fn), ALL_CLASSES_MASK);
      return out;
    }
    if (method === "startswith" && receiver) {
      const names = this.roots(receiver, fn);
      if (this.p.isNormalizedPath(receiver, fn)) add(names, CLASS_BIT["path-traversal"]);
      const prefix = this.p.literalString(args.positional[0], fn);
      if (prefix !== null && /^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\//i.test(prefix)) add(names, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      return out;
    }
    for (const [k, v] of this.validatorChecks(c, fn, false)) out.set(k, (out.get(k) ?? 0) | v);
    return out;
  }

  private helperChecks(c: SyntaxNode, truth: boolean, fn: FunctionInfo | null, depth: number): Map<string, number> {
    const out = new Map<string, number>();
    const callee = unparen(c.childForFieldName("function")!);
    if (callee.type !== "identifier" || depth > 8 || this.p.isImported(callee)) return out;
    const helper = this.p.byName.get(callee.text);
    const body = helper?.node.childForFieldName("body");
    const last = body?.namedChildren.filter((x) => x.type !== "comment").at(-1);
    const ret = last?.type === "return_statement" ? last.namedChildren[0] : undefined;
    if (!helper || !ret || helper.isMethod || helper.name === fn?.name) return out;
    const args = this.p.args(c);
    for (const [k, v] of this.checks(ret, truth, helper, depth + 1)) {
      const [name, attr] = k.split(".", 2) as [string, string | undefined];
      const i = helper.params.indexOf(name);
      const arg = i < 0 ? undefined : (args.keywords.get(name) ?? args.positional[i]);
      if (!arg) continue;
      for (const r of this.roots(arg, fn)) if (!attr) out.set(r, (out.get(r) ?? 0) | v);
    }
    return out;
  }

  /** A call's arguments, qualified callee, method name and receiver (null without a callee). */
  private callParts(c: SyntaxNode): { args: ReturnType<Program["args"]>; q: string | null; method: string | null; receiver: SyntaxNode | null } | null {
    const fnNode = c.childForFieldName("function");
    if (!fnNode) return null;
    return {
      args: this.p.args(c),
      q: this.p.qname(fnNode),
      method: fnNode.type === "attribute" ? fnNode.childForFieldName("attribute")!.text : null,
      receiver: fnNode.type === "attribute" ? unparen(fnNode.childForFieldName("object")!) : null,
    };
  }

  /** Validator models matching call `c` (only those that raise, with `raisingOnly`), applied. */
  private validatorChecks(c: SyntaxNode, fn: FunctionInfo | null, raisingOnly: boolean): Map<string, number> {
    const out = new Map<string, number>();
    const parts = this.callParts(c);
    if (!parts) return out;
    const { args, q, method, receiver } = parts;
    const add = adder(out);
    const models = (q ? this.p.m.validatorCalls.byCallee.get(q) : undefined) ?? (method && !(q && receiver && this.p.qname(receiver) !== receiver.text) ? this.p.m.validatorCalls.byMethod.get(method) : undefined);
    for (const v of models ?? []) {
      if (raisingOnly !== !!v.raises) continue;
      if (v.requiresAnchoredPattern) {
        let pattern: string | null;
        if (v.requiresAnchoredPattern.pos === -1) {
          // Compiled pattern: find its re.compile literal.
          const r = receiver ? (unparen(receiver).type === "call" ? unparen(receiver) : this.p.resolveAssigned(unparen(receiver), fn)) : null;
          pattern = r && r.type === "call" ? this.p.literalString(this.p.args(r).positional[0], fn) : null;
          if (pattern === null || !isAnchoredPattern(pattern, method === "search")) continue;
        } else {
          pattern = this.p.literalString(args.keywords.get(v.requiresAnchoredPattern.kw) ?? args.positional[v.requiresAnchoredPattern.pos], fn);
          if (pattern === null || !isAnchoredPattern(pattern, q?.endsWith("search") ?? false)) continue;
        }
      }
      const checked = v.checked === "receiver" ? receiver : (args.keywords.get(v.checked.kw ?? "") ?? (v.checked.pos !== undefined ? args.positional[v.checked.pos] : undefined));
      if (!checked || (v.requiresNormalized && !this.p.isNormalizedPath(checked, fn))) continue;
      add(this.roots(checked, fn), classMask(v.clears));
    }
    return out;
  }

  /**
   * What the raising validators called in statement `stmt` establish once it completes normally,
   * or nothing when an enclosing `try` has a handler that neither raises nor returns (the failure
   * is swallowed and the code after it runs with the unchecked value).
   */
  raisingChecks(stmt: SyntaxNode, fn: FunctionInfo | null): Map<string, number> {
    const out = new Map<string, number>();
    if (!this.raisingNames().test(stmt.text)) return out;
    const calls = stmt.descendantsOfType("call");
    for (const c of calls.length > 64 ? [] : calls) for (const [k, v] of this.validatorChecks(c, fn, true)) out.set(k, (out.get(k) ?? 0) | v);
    if (out.size && swallowsFailure(stmt)) out.clear();
    return out;
  }

  private raisingNamesRe: RegExp | null = null;
  /** The method and function names of the raising validators, as one test on statement text. */
  private raisingNames(): RegExp {
    if (this.raisingNamesRe) return this.raisingNamesRe;
    const names = this.p.m.validators.filter((v) => v.raises).flatMap((v) => [...(v.methods ?? []), ...(v.callees ?? []).map((c) => c.slice(c.lastIndexOf(".") + 1))]);
    this.raisingNamesRe = names.length ? new RegExp(`\\b(${names.join("|")})\\s*\\(`) : /$^/;
    return this.raisingNamesRe;
  }

  /** Applies what `cond == truth` establishes to the state (and to values the checked ones view). */
  refine(state: State, cond: SyntaxNode, truth: boolean, fn: FunctionInfo | null): State {
    for (const [name, mask] of this.checks(cond, truth, fn)) this.clearName(state, name, mask);
    return state;
  }

  clearName(state: State, name: string, mask: number): void {
    const t = this.read(state, name);
    if (t.length) state.set(name, clear(t, mask));
  }

  /**
   * Whether any branch condition or checking loop in the function, or in a same-file function it
   * calls, validates a value for `cls` (a check moved into a helper is still the function's check).
   */
  validates(fn: FunctionInfo, cls: VulnClass, depth = 0): boolean {
    const key = `${fn.node.id}:${cls}`;
    const cached = this.validatesCache.get(key);
    if (cached !== undefined) return cached;
    // A chain of helpers deeper than this is not followed (and not cached: a shallower caller may ask).
    if (depth > 8) return false;
    // Recursion (direct or through helpers) reads "not yet known" as false.
    this.validatesCache.set(key, false);
    const bit = CLASS_BIT[cls];
    let found = false;
    const stack: SyntaxNode[] = [fn.node.childForFieldName("body") ?? fn.node];
    while (stack.length && !found) {
      const n = stack.pop()!;
      if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
      const cond = n.type === "if_statement" || n.type === "elif_clause" || n.type === "while_statement" ? n.childForFieldName("condition") : n.type === "assert_statement" ? n.namedChildren[0] : null;
      // Emptiness tests (`if params:`) are not validation.
      if (cond) for (const truth of [true, false]) for (const m of this.checks(cond, truth, fn, 0, true).values()) if (m & bit) found = true;
      if (n.type === "for_statement" && (this.loopCheck(n, fn)?.mask ?? 0) & bit) found = true;
      if (n.type === "call") {
        const callee = this.sameFileCallee(n);
        if (callee && callee !== fn && this.validates(callee, cls, depth + 1)) found = true;
      }
      for (const c of n.namedChildren) stack.push(c);
    }
    this.validatesCache.set(key, found);
    return found;
  }

  /**
   * `target, host = helper(...)` where the helper computes `host = urlparse(target).netloc` and
   * returns `target, host`: `host` is a view of the caller's `target`, as it was before the code
   * moved into the helper. Only a helper with one return of a tuple, whose viewed local is the
   * same definition where it is viewed and where it is returned.
   */
  private unpackedRoots(e: SyntaxNode, fn: FunctionInfo | null, depth: number): string[] {
    const unpack = this.p.unpackedFrom(e, fn);
    const helper = unpack ? this.sameFileCallee(unpack.call) : null;
    if (!unpack || !helper || helper === fn) return [];
    const elements = this.singleReturnedTuple(helper, unpack.targets.length);
    if (!elements) return [];
    const out: string[] = [];
    for (const r of this.roots(elements[unpack.index]!, helper, depth + 1)) {
      if (r.includes(".")) continue;
      const j = elements.findIndex((x) => x.type === "identifier" && x.text === r);
      const target = j >= 0 ? unpack.targets[j] : undefined;
      if (!target || target.type !== "identifier" || j === unpack.index) continue;
      // The returned local must be the definition the view was taken of.
      const viewed = this.viewedUse(elements[unpack.index]!, r, helper);
      if (viewed === null || viewed !== this.p.versionAt(elements[j]!, helper)) continue;
      out.push(target.text);
    }
    return out;
  }

  /** The SSA version of `name` where the view `expr` (or the definition it names) reads it. */
  private viewedUse(expr: SyntaxNode, name: string, fn: FunctionInfo, depth = 0): number | null {
    if (depth > 8) return null;
    const e = unparen(expr);
    if (e.type === "identifier" && e.text === name) return this.p.versionAt(e, fn);
    if (e.type === "identifier") {
      const def = this.p.resolveAssigned(e, fn);
      return def ? this.viewedUse(def, name, fn, depth + 1) : null;
    }
    for (const c of e.namedChildren) {
      const v = this.viewedUse(c, name, fn, depth + 1);
      if (v !== null) return v;
    }
    return null;
  }

  /** The same-file function a call names (`helper(...)`, `self.method(...)`), or null. */
  private sameFileCallee(call: SyntaxNode): FunctionInfo | null {
    const f = call.childForFieldName("function");
    if (!f) return null;
    const u = unparen(f);
    if (u.type === "identifier") return this.p.isImported(u) ? null : (this.p.byName.get(u.text) ?? null);
    if (u.type === "attribute" && ["self", "cls"].includes(u.childForFieldName("object")?.text ?? "")) {
      const m = this.p.byName.get(u.childForFieldName("attribute")!.text);
      return m?.isMethod ? m : null;
    }
    return null;
  }

  /** `for e in X:` whose body raises/returns unless a check on `e` holds: X is validated on exit. */
  private loopCheck(forStmt: SyntaxNode, fn: FunctionInfo | null): { roots: string[]; mask: number } | null {
    const cached = this.loopChecks.get(forStmt.id);
    if (cached !== undefined) return cached;
    let result: { roots: string[]; mask: number } | null = null;
    const left = forStmt.childForFieldName("left");
    const right = forStmt.childForFieldName("right");
    const body = forStmt.childForFieldName("body");
    if (left && right && body) {
      const vars = targetNames(left);
      const iterQ = unparen(right).type === "call" ? this.p.qname(unparen(right).childForFieldName("function")!) : null;
      const astWalk = iterQ === "ast.walk";
      let mask = 0;
      for (const s of body.namedChildren) {
        if (s.type !== "if_statement") continue;
        const cond = s.childForFieldName("condition");
        if (!cond) continue;
        // The branch that leaves (raise/return) when the test is `exitsWhen`: the loop goes on
        // only with the test the other way (`if bad: raise`, or `if ok: pass / else: raise`).
        const alternatives = s.childrenForFieldName("alternative");
        const branches: Array<[SyntaxNode | null, boolean]> = [[s.childForFieldName("consequence"), true]];
        if (alternatives.length === 1 && alternatives[0]!.type === "else_clause") branches.push([alternatives[0]!.childForFieldName("body"), false]);
        for (const [branch, exitsWhen] of branches) {
          const last = branch?.namedChildren.filter((c) => c.type !== "comment").at(-1);
          if (!last || (last.type !== "raise_statement" && last.type !== "return_statement")) continue;
          const passed = this.checks(cond, !exitsWhen, fn);
          for (const v of vars) if (passed.has(v)) mask |= passed.get(v)!;
          // AST inspection: rejecting node types while walking the parsed tree.
          if (astWalk && /\bisinstance\s*\(/.test(cond.text)) mask |= CLASS_BIT["code-injection"] | CLASS_BIT["command-injection"];
        }
      }
      if (mask) result = { roots: this.roots(right, fn), mask };
    }
    this.loopChecks.set(forStmt.id, result);
    return result;
  }

  /** The state on an edge: refined by the branch condition, or by a checking loop on its exit. */
  edgeState(out: State, e: CfgEdge, cfg: Cfg, run: Run): State {
    if ((e.kind === "true" || e.kind === "false") && e.cond) return this.refine(new Map(out), e.cond, e.kind === "true", run.fn);
    if (e.kind === "loop-exit") {
      const header = cfg.blocks[e.from]!;
      const it = header.elements[header.elements.length - 1];
      if (it?.kind === "for-iter") {
        const lc = this.loopCheck(it.node, run.fn);
        if (lc) {
          const s = new Map(out);
          for (const r of lc.roots) this.clearName(s, r, lc.mask);
          return s;
        }
      }
    }
    return out;
  }
}

/**
 * The values whose length a condition bounds when it evaluates to `truth` (`len(s) <= 100`,
 * `len(s) > LIMIT` failing, `100 >= len(s)`), with the bound when it is a literal. Exposed for
 * checks that need a dominating length cap (a bounded input cannot make a regex backtrack long).
 */
export function lengthCaps(cond: SyntaxNode, truth: boolean, depth = 0): { value: SyntaxNode; max: number | null }[] {
  if (depth > 50) return [];
  const c = unparen(cond);
  if (c.type === "not_operator") {
    const arg = c.childForFieldName("argument");
    return arg ? lengthCaps(arg, !truth, depth + 1) : [];
  }
  if (c.type === "boolean_operator") {
    const op = c.childForFieldName("operator")?.text;
    // `a and b` true (or `a or b` false): both hold.
    if ((op === "and") === truth) return [...lengthCaps(c.childForFieldName("left")!, truth, depth + 1), ...lengthCaps(c.childForFieldName("right")!, truth, depth + 1)];
    return [];
  }
  if (c.type !== "comparison_operator" || c.namedChildren.length !== 2) return [];
  const ops = c.children.filter((x) => !x.isNamed).map((x) => x.text);
  if (ops.length !== 1) return [];
  const [a, b] = c.namedChildren as [SyntaxNode, SyntaxNode];
  const lenArg = (n: SyntaxNode): SyntaxNode | null => {
    const u = unparen(n);
    if (u.type !== "call" || u.childForFieldName("function")?.text !== "len") return null;
    const args = u.childForFieldName("arguments")?.namedChildren ?? [];
    return args.length === 1 ? args[0]! : null;
  };
  const bound = (n: SyntaxNode): number | null => (unparen(n).type === "integer" ? Number(unparen(n).text.replace(/_/g, "")) : null);
  // Normalize to `len(x) OP other` holding.
  let op = ops[0]!;
  let value = lenArg(a);
  let other = b;
  if (!value) {
    value = lenArg(b);
    other = a;
    const flip: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" };
    op = flip[op] ?? op;
  }
  if (!value) return [];
  const negate: Record<string, string> = { "<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==" };
  if (!truth) op = negate[op] ?? op;
  if (op === "<" || op === "<=" || op === "==") {
    const n = bound(other);
    return [{ value, max: n === null ? null : op === "<" ? n - 1 : n }];
  }
  return [];
}
