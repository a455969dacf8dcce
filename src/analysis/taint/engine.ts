/**
 * Flow-sensitive taint propagation over the CFGs of one module.
 *
 * Each function is solved as a forward dataflow problem over its CFG: the state maps local names
 * (and one-level access paths such as `self.x`) to taint facts; merge points join states, which is
 * the phi of the SSA form (src/analysis/python/ssa.ts) computed on the fly. Branch edges refine
 * the state with guards: a check on a value (allow-list membership, equality, anchored regex
 * match, isdigit, isinstance, containment of a normalized path, host/scheme allow-list on a parsed
 * URL...) marks the value validated on the edge where the check holds. Because a guard whose
 * failing branch raises or returns leaves only the passing edge into the rest of the function,
 * "a dominating guard" falls out of the dataflow; the positive form (`if ok(x): sink(x)`) too.
 *
 * Functions defined in the same file get summaries (which parameters reach the return value and
 * with which sanitization, which parameters reach which sinks), computed to a fixpoint so recursion
 * terminates, and applied at call sites. Nested functions and lambdas are analyzed with the state
 * captured where they are defined.
 */
import type { FlowStep } from "../finding.js";
import { callArgs, qualifiedName, stringValue, type ParsedModule } from "../python/index.js";
import type { SyntaxNode } from "../python/cfg.js";
import { buildModuleCfgs, reversePostorder, type Cfg, type CfgEdge, type ModuleCfgs } from "../python/cfg.js";
import { targetNames } from "../python/ssa.js";
import { CLEAN, clear, unclear, joinInto, sameState, union, unionAll, withStep, type Fact, type State, type Taint, type TaintSource } from "./facts.js";
import { ALL_CLASSES_MASK, CALLER_PATH_BIT, CLASS_BIT, SPLICED_BIT, classMask, models, type IndexedModels, type SinkModel, type VulnClass } from "./models/index.js";

/** The same facts, marked as fill values spliced into a template (see SPLICED_BIT). */
function spliced(t: Taint): Taint {
  return t.map((f) => (f.cleared & SPLICED_BIT ? f : { src: f.src, cleared: f.cleared | SPLICED_BIT, path: f.path }));
}

export class TaintTimeout extends Error {
  constructor() {
    super("taint analysis time budget exceeded");
  }
}

export interface TaintOptions {
  /** Function whose parameters are untrusted (by name or qualified name). */
  entryFunction?: string;
  /** Parameters of the entry function that are untrusted (default: all but self/cls). */
  untrustedParams?: string[];
  /** Classes whose sink is the entry function's return value (the task returns markup or a URL). */
  returnSinkClasses?: VulnClass[];
  /** At the return-value sink, only values spliced into a template as fill values count (CWE-77). */
  returnSinkSplicedOnly?: boolean;
  /** Absolute time (ms since epoch) after which analysis stops. */
  deadline?: number;
}

export interface TaintHit {
  cls: VulnClass;
  sink: SyntaxNode;
  sinkName: string;
  source: TaintSource;
  flow: FlowStep[];
}

interface FunctionInfo {
  name: string;
  qualname: string;
  node: SyntaxNode;
  cfg: Cfg;
  params: string[];
  isMethod: boolean;
  isRoute: boolean;
  /** var -> the var it is a view of (`p = urlparse(u)`, `h = p.netloc`), for single-assignment vars. */
  viewOf: Map<string, string>;
  /** Vars holding a normalized path (realpath/abspath/resolve). */
  normalized: Set<string>;
  /** Single assignments `name = expr` in the function (for resolving constants and checks). */
  assigns: Map<string, SyntaxNode>;
}

interface SummarySink {
  param: number;
  cleared: number;
  cls: VulnClass;
  sink: SyntaxNode;
  sinkName: string;
  path: FlowStep[];
}

interface Summary {
  /** Facts reaching the return value; param sources stand for the arguments. */
  ret: Taint;
  sinks: SummarySink[];
  key: string;
}

type Mode = "summary" | "final";

interface Run {
  fn: FunctionInfo | null;
  /** The function whose parameter-to-sink effects are being summarized (closures share it). */
  summaryFn: FunctionInfo | null;
  mode: Mode;
  report: boolean;
  returns: Taint;
  isEntry: boolean;
  summarySinks: SummarySink[];
  depth: number;
}

const MAX_EXPR_DEPTH = 400;
const MAX_NESTED_ANALYSIS_DEPTH = 8;
const ROUTE_DECORATOR = /\.(route|get|post|put|delete|patch|api_route|websocket)\s*\(/;
const DEFINITION_TYPES = ["class_definition", "function_definition", "assignment"];
const MUTATORS = new Set(["append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "put", "put_nowait", "push"]);

function step(node: SyntaxNode, message: string): FlowStep {
  return { line: node.startPosition.row + 1, col: node.startPosition.column, message };
}

function unparen(n: SyntaxNode): SyntaxNode {
  while (n.type === "parenthesized_expression" && n.namedChildCount === 1) n = n.namedChildren[0]!;
  return n;
}

function isAnchoredPattern(p: string, needStart: boolean): boolean {
  const start = p.startsWith("^") || p.startsWith("\\A");
  const end = (p.endsWith("$") && !p.endsWith("\\$")) || p.endsWith("\\Z") || p.endsWith("\\z");
  return end && (start || !needStart);
}

export class ModuleTaintAnalysis {
  readonly m: IndexedModels = models();
  readonly sources: TaintSource[] = [];
  readonly hits: TaintHit[] = [];
  private readonly hitKeys = new Set<string>();
  private readonly cfgs: ModuleCfgs;
  private readonly functions: FunctionInfo[] = [];
  private readonly byName = new Map<string, FunctionInfo>();
  private readonly byNode = new Map<number, FunctionInfo>();
  private readonly qnameCache = new Map<number, string | null>();
  private readonly argsCache = new Map<number, ReturnType<typeof callArgs>>();
  private readonly summaries = new Map<FunctionInfo, Summary>();
  private readonly sourceBySite = new Map<string, TaintSource>();
  /** Module-level single assignments `NAME = <expr>` (constants, compiled patterns, parsers). */
  private readonly moduleAssigns = new Map<string, SyntaxNode>();
  private globals: State = new Map();
  private readonly validatesCache = new Map<string, boolean>();
  private transfers = 0;
  /** Names called anywhere in the file (`f(...)`, `x.f(...)`). */
  private readonly calledNames = new Set<string>();
  private readonly loopChecks = new Map<number, { roots: string[]; mask: number } | null>();
  truncated: boolean;

  constructor(
    private readonly mod: ParsedModule,
    private readonly opts: TaintOptions = {},
  ) {
    this.cfgs = buildModuleCfgs(mod.root);
    this.truncated = this.cfgs.truncated;
    for (const f of this.cfgs.functions) {
      const node = f.node;
      const parentClass = node.parent?.type === "block" && node.parent.parent?.type === "class_definition";
      const decoratedClass = node.parent?.type === "decorated_definition" && node.parent.parent?.type === "block" && node.parent.parent.parent?.type === "class_definition";
      const info: FunctionInfo = {
        name: f.cfg.name,
        qualname: f.qualname,
        node,
        cfg: f.cfg,
        params: f.cfg.params,
        isMethod: parentClass || decoratedClass,
        isRoute: f.decorators.some((d) => ROUTE_DECORATOR.test(d.text)),
        viewOf: new Map(),
        normalized: new Set(),
        assigns: new Map(),
      };
      this.collectAssignments(node, info.assigns, false);
      this.byNode.set(node.id, info);
      this.scanViews(info);
      this.functions.push(info);
      if (f.cfg.name !== "<lambda>" && !this.byName.has(info.name)) this.byName.set(info.name, info);
    }
    this.collectAssignments(mod.root, this.moduleAssigns, true);
  }

  private checkTime(): void {
    if (this.opts.deadline !== undefined && Date.now() > this.opts.deadline) throw new TaintTimeout();
  }

  // ---------------------------------------------------------------- sources

  private source(label: string, node: SyntaxNode, param?: { fn: string; index: number }): TaintSource {
    const key = param ? `p:${param.fn}:${param.index}` : `${node.startIndex}:${label}`;
    let s = this.sourceBySite.get(key);
    if (!s) {
      s = { id: this.sources.length, label, line: node.startPosition.row + 1, col: node.startPosition.column, ...(param ? { param } : {}) };
      this.sources.push(s);
      this.sourceBySite.set(key, s);
    }
    return s;
  }

  private fresh(label: string, node: SyntaxNode): Taint {
    return [{ src: this.source(label, node).id, cleared: 0, path: [] }];
  }

  /** Source object lookup for a qualified name or any of its prefixes (`flask.request.args.get`). */
  private sourceObject(q: string | null, dotted: string | null): string | null {
    if (q) {
      let p = q;
      for (;;) {
        const s = this.m.sourceObjects.get(p);
        if (s) return s.label;
        const dot = p.lastIndexOf(".");
        if (dot < 0) break;
        p = p.slice(0, dot);
      }
    }
    if (dotted) {
      for (const s of this.m.sources)
        for (const d of s.dotted ?? []) if (dotted === d || dotted.startsWith(d + ".") || dotted.endsWith("." + d)) return s.label;
    }
    return null;
  }

  // ---------------------------------------------------------------- helpers on syntax

  private qname(n: SyntaxNode): string | null {
    const u = unparen(n);
    if (u.type !== "identifier" && u.type !== "attribute") return null;
    const cached = this.qnameCache.get(u.id);
    if (cached !== undefined) return cached;
    // Resolution recurses along the chain: very long `a.b.c...` chains are not names we model.
    let len = 0;
    for (let x: SyntaxNode | null = u; x && x.type === "attribute" && len <= 64; x = x.childForFieldName("object")) len++;
    if (len > 64) {
      this.qnameCache.set(u.id, null);
      return null;
    }
    let q: string | null;
    try {
      q = qualifiedName(u, this.mod);
    } catch {
      q = null;
    }
    // Snippets often rely on imports made elsewhere (a task's setup code): a bare name that no model
    // shares with another module, and that the file neither imports nor defines, means that function.
    if (q !== null && u.type === "identifier" && q === u.text && !this.definedNames().has(q)) q = bareNames().get(q) ?? q;
    this.qnameCache.set(u.id, q);
    return q;
  }

  private defined: Set<string> | null = null;
  /** Names bound anywhere in the file (defs, classes, assignments, imports, parameters). */
  private definedNames(): Set<string> {
    if (this.defined) return this.defined;
    const out = new Set<string>([...this.moduleAssigns.keys(), ...this.byName.keys()]);
    for (const f of this.functions) for (const p of f.params) out.add(p);
    for (const b of this.mod.imports.bindings) out.add(b.local);
    for (const n of this.mod.root.descendantsOfType(DEFINITION_TYPES)) {
      if (n.type === "assignment") for (const t of targetNames(n.childForFieldName("left"))) out.add(t);
      else {
        const name = n.childForFieldName("name");
        if (name) out.add(name.text);
      }
    }
    this.defined = out;
    return out;
  }

  private args(call: SyntaxNode): ReturnType<typeof callArgs> {
    let a = this.argsCache.get(call.id);
    if (!a) this.argsCache.set(call.id, (a = callArgs(call, this.mod.source)));
    return a;
  }

  private collectAssignments(scope: SyntaxNode, out: Map<string, SyntaxNode>, moduleLevel: boolean): void {
    const counts = new Map<string, number>();
    for (const n of scope.descendantsOfType("assignment")) {
      if (moduleLevel && this.insideFunction(n, scope)) continue;
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (left?.type === "identifier" && right) {
        counts.set(left.text, (counts.get(left.text) ?? 0) + 1);
        out.set(left.text, right);
      }
    }
    for (const [k, c] of counts) if (c > 1) out.delete(k);
  }

  private insideFunction(n: SyntaxNode, scope: SyntaxNode): boolean {
    for (let p = n.parent; p && p.id !== scope.id; p = p.parent) if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return true;
    return false;
  }

  /** Records `v = view(w)` / `v = w.attr` relations and normalized paths for one function. */
  private scanViews(fn: FunctionInfo): void {
    for (const [name, right] of fn.assigns) {
      const r = unparen(right);
      if (r.type === "attribute") {
        const obj = unparen(r.childForFieldName("object")!);
        if (obj.type === "identifier") fn.viewOf.set(name, obj.text);
        else if (obj.type === "call") {
          // `host = urlparse(url).netloc`: a view of `url`.
          const base = this.viewOfCall(obj);
          const b = base ? unparen(base.base) : null;
          if (b?.type === "identifier") fn.viewOf.set(name, b.text);
        }
        continue;
      }
      if (r.type !== "call") continue;
      const view = this.viewOfCall(r);
      if (view) {
        const base = unparen(view.base);
        if (base.type === "identifier") fn.viewOf.set(name, base.text);
        if (view.normalizes) fn.normalized.add(name);
      }
    }
  }

  /** If `call` is a view (urlparse(u), realpath(p), s.lower(), Path(p).resolve()), its base value. */
  private viewOfCall(call: SyntaxNode, depth = 0): { base: SyntaxNode; normalizes: boolean } | null {
    const fnNode = call.childForFieldName("function");
    if (!fnNode || depth > 32) return null;
    const q = this.qname(fnNode);
    const qModel = q ? this.m.viewCalls.byCallee.get(q) : undefined;
    if (qModel) {
      const args = this.args(call);
      const a0 = args.positional[0];
      if (!a0) return null;
      const inner = unparen(a0);
      const innerView = inner.type === "call" ? this.viewOfCall(inner, depth + 1) : null;
      return { base: innerView?.base ?? a0, normalizes: !!qModel[0]!.normalizesPath || !!innerView?.normalizes };
    }
    if (fnNode.type === "attribute") {
      const method = fnNode.childForFieldName("attribute")?.text ?? "";
      const mm = this.m.viewCalls.byMethod.get(method);
      if (mm) {
        const recv = unparen(fnNode.childForFieldName("object")!);
        const innerView = recv.type === "call" ? this.viewOfCall(recv, depth + 1) : null;
        return { base: innerView?.base ?? recv, normalizes: !!mm[0]!.normalizesPath || !!innerView?.normalizes };
      }
    }
    return null;
  }

  /** Resolves an identifier to the expression it was assigned (function-local first, then module). */
  private resolveAssigned(n: SyntaxNode, fn: FunctionInfo | null): SyntaxNode | null {
    if (n.type !== "identifier") return null;
    if (fn) {
      const r = fn.assigns.get(n.text);
      if (r) return r;
    }
    return this.moduleAssigns.get(n.text) ?? null;
  }

  /**
   * For a receiver that is `re.compile(CONST)` (or a name assigned one): its pattern text, null
   * when the pattern is not a literal; undefined when the receiver is not a compiled pattern.
   */
  private compiledPattern(receiver: SyntaxNode, fn: FunctionInfo | null): string | null | undefined {
    const u = unparen(receiver);
    const r = u.type === "call" ? u : this.resolveAssigned(u, fn);
    if (!r || r.type !== "call") return undefined;
    const callee = r.childForFieldName("function");
    const q = callee ? this.qname(callee) : null;
    if (q !== "re.compile" && q !== "regex.compile") return undefined;
    return this.literalString(this.args(r).positional[0], fn);
  }

  private literalString(n: SyntaxNode | undefined, fn: FunctionInfo | null): string | null {
    if (!n) return null;
    let u = unparen(n);
    if (u.type === "identifier") u = this.resolveAssigned(u, fn) ?? u;
    if (u.type === "string" || u.type === "concatenated_string") {
      try {
        return stringValue(u, this.mod.source, true);
      } catch {
        return null;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- state access

  private read(state: State, key: string): Taint {
    const v = state.get(key);
    if (v) return v;
    if (!key.includes(".")) return this.globals.get(key) ?? CLEAN;
    return CLEAN;
  }

  private assign(target: SyntaxNode, t: Taint, state: State, run: Run, at: SyntaxNode, depth = 0): void {
    if (depth > 64) {
      // Absurdly nested targets: bind every name inside (iteratively), field-insensitively.
      for (const name of targetNames(target)) state.set(name, t);
      return;
    }
    const tgt = unparen(target);
    switch (tgt.type) {
      case "identifier":
        state.set(tgt.text, withStep(t, step(at, `assigned to ${tgt.text}`)));
        return;
      case "attribute": {
        const obj = unparen(tgt.childForFieldName("object")!);
        if (obj.type === "identifier") state.set(`${obj.text}.${tgt.childForFieldName("attribute")!.text}`, withStep(t, step(at, `assigned to ${tgt.text}`)));
        else this.evalExpr(obj, state, run, 0);
        return;
      }
      case "subscript": {
        const container = unparen(tgt.childForFieldName("value")!);
        if (run.report) this.checkStoreSink(container, t, tgt, run);
        for (const idx of tgt.childrenForFieldName("subscript")) this.evalExpr(idx, state, run, 0);
        this.weakUpdate(container, t, state, at);
        return;
      }
      case "pattern_list":
      case "tuple_pattern":
      case "list_pattern":
      case "tuple":
      case "list":
        for (const c of tgt.namedChildren) this.assign(c, t, state, run, at, depth + 1);
        return;
      case "list_splat_pattern":
      case "list_splat": {
        const inner = tgt.namedChildren[0];
        if (inner) this.assign(inner, t, state, run, at, depth + 1);
        return;
      }
      default:
        return;
    }
  }

  /** Adds taint to a container/object without removing what it held (field-insensitive). */
  private weakUpdate(container: SyntaxNode, t: Taint, state: State, at: SyntaxNode): void {
    if (t.length === 0) return;
    let base = unparen(container);
    if (base.type === "attribute") {
      const obj = unparen(base.childForFieldName("object")!);
      if (obj.type === "identifier") {
        const key = `${obj.text}.${base.childForFieldName("attribute")!.text}`;
        state.set(key, union(this.read(state, key), withStep(t, step(at, `stored into ${base.text}`))));
        return;
      }
    }
    while (base.type === "subscript" || base.type === "attribute") base = unparen(base.namedChildren[0]!);
    if (base.type === "identifier") state.set(base.text, union(this.read(state, base.text), withStep(t, step(at, `stored into ${base.text}`))));
  }

  // ---------------------------------------------------------------- expressions

  evalExpr(node: SyntaxNode, state: State, run: Run, depth: number): Taint {
    if (depth > MAX_EXPR_DEPTH) {
      this.truncated = true;
      return this.identifiersTaint(node, state);
    }
    const d = depth + 1;
    switch (node.type) {
      case "identifier": {
        const t = this.read(state, node.text);
        if (t.length) return t;
        const q = this.qname(node);
        if (q && q !== node.text) {
          const label = this.sourceObject(q, null);
          if (label) return this.fresh(label, node);
        }
        return CLEAN;
      }
      case "string": {
        let t: Taint = CLEAN;
        let urlFixed = false;
        let composedPath = false;
        for (const c of node.namedChildren) {
          if (c.type === "string_content" && !t.length && /^[a-z][a-z0-9+.-]*:\/\/[^/{}\s]+\//i.test(c.text)) urlFixed = true;
          if (c.type === "string_content" && c.text.includes("/")) composedPath = true;
          if (c.type === "interpolation") {
            const e = c.childForFieldName("expression");
            if (e) t = union(t, this.evalExpr(e, state, run, d));
          }
        }
        if (composedPath) t = unclear(t, CALLER_PATH_BIT);
        return urlFixed ? clear(t, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf) : t;
      }
      case "integer":
      case "float":
      case "true":
      case "false":
      case "none":
      case "ellipsis":
      case "comparison_operator":
      case "not_operator":
        if (node.type === "comparison_operator" || node.type === "not_operator") for (const c of node.namedChildren) this.evalExpr(c, state, run, d);
        return CLEAN;
      case "attribute":
        return this.evalAttribute(node, state, run, d);
      case "subscript": {
        const value = node.childForFieldName("value")!;
        for (const idx of node.childrenForFieldName("subscript")) this.evalExpr(idx, state, run, d);
        return this.evalExpr(value, state, run, d);
      }
      case "call":
        return this.evalCall(node, state, run, d);
      case "binary_operator": {
        const left = node.childForFieldName("left")!;
        const right = node.childForFieldName("right")!;
        const op = node.childForFieldName("operator")?.text ?? "";
        const lt = this.evalExpr(left, state, run, d);
        let rt = this.evalExpr(right, state, run, d);
        if (op === "/") rt = unclear(rt, CALLER_PATH_BIT);
        if (op === "+" && lt.length === 0 && /[\\/]/.test(this.literalString(left, run.fn) ?? "")) rt = unclear(rt, CALLER_PATH_BIT);
        if ((op === "+" || op === "%") && lt.length === 0) {
          const lit = this.literalString(left, run.fn);
          if (lit !== null && /^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\//i.test(lit)) rt = clear(rt, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
        }
        return union(lt, rt);
      }
      case "conditional_expression": {
        const [a, cond, b] = node.namedChildren;
        if (!a || !cond || !b) return this.unionChildren(node, state, run, d);
        this.evalExpr(cond, state, run, d);
        const st = this.refine(new Map(state), cond, true, run);
        const sf = this.refine(new Map(state), cond, false, run);
        return union(this.evalExpr(a, st, run, d), this.evalExpr(b, sf, run, d));
      }
      case "named_expression": {
        const value = node.childForFieldName("value");
        const t = value ? this.evalExpr(value, state, run, d) : CLEAN;
        const name = node.childForFieldName("name");
        if (name) state.set(name.text, withStep(t, step(node, `assigned to ${name.text}`)));
        return t;
      }
      case "list_comprehension":
      case "set_comprehension":
      case "generator_expression":
      case "dictionary_comprehension":
        return this.evalComprehension(node, state, run, d);
      case "lambda":
        if (run.report) this.analyzeNested(node, state, run);
        return CLEAN;
      case "keyword_argument": {
        const v = node.childForFieldName("value");
        return v ? this.evalExpr(v, state, run, d) : CLEAN;
      }
      default:
        return this.unionChildren(node, state, run, d);
    }
  }

  private unionChildren(node: SyntaxNode, state: State, run: Run, d: number): Taint {
    let t: Taint = CLEAN;
    for (const c of node.namedChildren) if (c.type !== "comment") t = union(t, this.evalExpr(c, state, run, d));
    return t;
  }

  /** Depth-limited fallback: the union of every identifier's taint in the subtree (iterative). */
  private identifiersTaint(node: SyntaxNode, state: State): Taint {
    let t: Taint = CLEAN;
    const stack = [node];
    let visited = 0;
    while (stack.length) {
      const n = stack.pop()!;
      if ((++visited & 4095) === 0) this.checkTime();
      if (n.type === "identifier") t = union(t, this.read(state, n.text));
      else for (const c of n.namedChildren) stack.push(c);
    }
    return t;
  }

  private evalAttribute(node: SyntaxNode, state: State, run: Run, d: number): Taint {
    const obj = unparen(node.childForFieldName("object")!);
    const attr = node.childForFieldName("attribute")!.text;
    if (obj.type === "identifier") {
      const path = state.get(`${obj.text}.${attr}`);
      if (path) return path;
    }
    const objTaint = this.evalExpr(obj, state, run, d);
    if (objTaint.length) return objTaint;
    const q = this.qname(node);
    const label = this.sourceObject(q, node.text);
    if (label) return this.fresh(label, node);
    return CLEAN;
  }

  private evalComprehension(node: SyntaxNode, outer: State, run: Run, d: number): Taint {
    const state = new Map(outer);
    const body = node.childForFieldName("body");
    for (const c of node.namedChildren) {
      if (c.type === "for_in_clause") {
        const right = c.childForFieldName("right");
        const t = right ? this.evalExpr(right, state, run, d) : CLEAN;
        for (const left of c.childrenForFieldName("left")) this.assign(left, t, state, run, c);
      } else if (c.type === "if_clause") {
        const cond = c.namedChildren[0];
        if (cond) {
          this.evalExpr(cond, state, run, d);
          this.refine(state, cond, true, run);
        }
      }
    }
    if (!body) return CLEAN;
    return this.evalExpr(body, state, run, d);
  }

  private evalCall(node: SyntaxNode, state: State, run: Run, d: number): Taint {
    const fnNode = node.childForFieldName("function");
    if (!fnNode) return CLEAN;
    const args = this.args(node);
    const argNodes = node.childForFieldName("arguments")?.namedChildren ?? [];
    const fnU = unparen(fnNode);
    const method = fnU.type === "attribute" ? fnU.childForFieldName("attribute")!.text : null;
    const receiver = fnU.type === "attribute" ? unparen(fnU.childForFieldName("object")!) : null;
    const q = this.qname(fnU);

    const recvTaint = receiver ? this.evalExpr(receiver, state, run, d) : fnU.type === "identifier" ? CLEAN : this.evalExpr(fnU, state, run, d);
    const posTaints = args.positional.map((a) => this.evalExpr(a, state, run, d));
    const kwTaints = new Map<string, Taint>();
    for (const [k, v] of args.keywords) kwTaints.set(k, this.evalExpr(v, state, run, d));
    let splatTaint: Taint = CLEAN;
    for (const a of argNodes) if (a.type === "list_splat" || a.type === "dictionary_splat") splatTaint = union(splatTaint, this.evalExpr(a, state, run, d));
    const argTaint = (pos: number | undefined, kw: string | undefined): Taint | undefined => {
      if (kw !== undefined && kwTaints.has(kw)) return kwTaints.get(kw);
      if (pos !== undefined && pos < posTaints.length) return posTaints[pos];
      if (splatTaint.length && pos !== undefined) return splatTaint;
      return undefined;
    };
    const allArgs = unionAll([...posTaints, ...kwTaints.values(), splatTaint]);

    // Sinks.
    if (run.report) {
      const sinks: SinkModel[] = [];
      if (q) sinks.push(...(this.m.sinkCalls.byCallee.get(q) ?? []));
      if (method && !(q && this.m.sinkCalls.byCallee.has(q))) {
        const recvText = (receiver?.text ?? "").toLowerCase();
        for (const s of this.m.sinkCalls.byMethod.get(method) ?? []) {
          if (s.receiverContains && !s.receiverContains.some((w) => recvText.includes(w.toLowerCase()))) continue;
          // A method name that is also a module function we know (re.search) is not a receiver method.
          if (q && receiver && this.qname(receiver) !== receiver.text) continue;
          sinks.push(s);
        }
      }
      for (const s of sinks) this.checkCallSink(s, node, args, argTaint, recvTaint, q ?? method ?? fnU.text, run);
    }

    // Same-file functions: summaries.
    const callee = this.calleeFunction(fnU, receiver);
    if (callee) return this.applySummary(callee.fn, callee.offset, node, args, posTaints, kwTaints, splatTaint, run);

    // Sources.
    if (q) {
      const src = this.m.sourceCalls.byCallee.get(q);
      if (src) return this.fresh(src[0]!.label, node);
    }
    if (method) {
      const src = this.m.sourceCalls.byMethod.get(method);
      if (src) return union(this.fresh(src[0]!.label, node), recvTaint);
    }

    // Composing a path under a base folder: the appended parts can climb out of it.
    if (q === "os.path.join" || q === "posixpath.join" || q === "ntpath.join" || method === "joinpath" || ((q === "pathlib.Path" || q === "pathlib.PurePath") && posTaints.length > 1)) {
      const base = method === "joinpath" ? recvTaint : (posTaints[0] ?? CLEAN);
      const rest = unionAll(method === "joinpath" ? posTaints : posTaints.slice(1));
      return union(base, unclear(rest, CALLER_PATH_BIT));
    }

    // Regex substitution with constant pattern and replacement: strips or replaces characters.
    // `re.compile(P).sub(R, x)` (directly or through a variable) is the same substitution.
    const compiledSub = (method === "sub" || method === "subn") && receiver ? this.compiledPattern(receiver, run.fn) : undefined;
    if (q === "re.sub" || q === "re.subn" || q === "regex.sub" || compiledSub !== undefined) {
      const pat = compiledSub !== undefined ? compiledSub : this.literalString(args.positional[0] ?? args.keywords.get("pattern"), run.fn);
      const repl = this.literalString(compiledSub !== undefined ? (args.positional[0] ?? args.keywords.get("repl")) : (args.positional[1] ?? args.keywords.get("repl")), run.fn);
      const subject = (compiledSub !== undefined ? argTaint(1, "string") : argTaint(2, "string")) ?? CLEAN;
      if (pat !== null && repl !== null) {
        const allowList = /^\[\^/.test(pat);
        const mask = allowList ? classMask(["injection", "xss", "sql-injection", "command-injection", "ldap-injection", "xpath-injection", "code-injection", "path-traversal"]) : classMask(["injection"]);
        return withStep(clear(subject, mask), step(node, `sanitized by ${q}`));
      }
      return union(union(subject, allArgs), compiledSub !== undefined ? recvTaint : CLEAN);
    }
    if (method === "replace" && args.positional.length >= 2) {
      const from = this.literalString(args.positional[0], run.fn);
      const to = this.literalString(args.positional[1], run.fn);
      if (from !== null && to !== null && /[\r\n]/.test(from)) return clear(recvTaint, classMask(["injection"]));
      // Hand-written HTML escaping: `s.replace("<", "&lt;")`.
      if (from !== null && to !== null && /[<>&"']/.test(from) && /^&[#a-z0-9]+;$/i.test(to)) return clear(recvTaint, classMask(["xss"]));
      // Filling a template: `template.replace(placeholder, value)` splices the value into it.
      if (to === null) return union(recvTaint, unionAll([...posTaints.slice(0, 1), spliced(posTaints[1] ?? CLEAN)]));
    }
    // `template.format(...)` and `string.Template(t).substitute(...)` splice their arguments.
    if ((method === "format" || method === "substitute" || method === "safe_substitute") && fnU.type === "attribute" && allArgs.length) {
      const result = union(recvTaint, spliced(allArgs));
      // `"<base>/{}".format(x)` with a fixed scheme and host keeps the host out of the user's hands.
      if (method === "format" && recvTaint.length === 0) {
        const lit = this.literalString(receiver ?? undefined, run.fn);
        if (lit !== null && /^[a-z][a-z0-9+.-]*:\/\/[^/{}\s]+\//i.test(lit)) return clear(result, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      }
      return result;
    }
    // request.args.get("n", type=int): the framework converts the value.
    if (method === "get" && args.keywords.has("type") && /^(int|float|bool)$/.test(args.keywords.get("type")!.text)) return CLEAN;

    // Sanitizers.
    const san = (q ? this.m.sanitizerCalls.byCallee.get(q) : undefined) ?? (method && !(q && receiver && this.qname(receiver) !== receiver.text) ? this.m.sanitizerCalls.byMethod.get(method) : undefined);
    if (san) {
      const mask = san.reduce((acc, s) => acc | classMask(s.clears), 0);
      const input = method && !this.m.sanitizerCalls.byCallee.has(q ?? "") ? union(recvTaint, allArgs) : allArgs;
      if ((mask & ALL_CLASSES_MASK) === ALL_CLASSES_MASK) return CLEAN;
      return withStep(clear(input, mask), step(node, `sanitized by ${q ?? method}`));
    }

    // Mutating methods add their arguments to the receiver.
    if (method && receiver && MUTATORS.has(method) && allArgs.length) this.weakUpdate(receiver, allArgs, state, node);

    // Default propagation: result carries the receiver's and the arguments' taint.
    return union(recvTaint, allArgs);
  }

  private calleeFunction(fnU: SyntaxNode, receiver: SyntaxNode | null): { fn: FunctionInfo; offset: number } | null {
    if (fnU.type === "identifier") {
      const f = this.byName.get(fnU.text);
      if (f && !this.qnameIsImport(fnU)) return { fn: f, offset: 0 };
      return null;
    }
    if (fnU.type === "attribute" && receiver && (receiver.text === "self" || receiver.text === "cls" || receiver.type === "identifier")) {
      const name = fnU.childForFieldName("attribute")!.text;
      const f = this.byName.get(name);
      if (f && f.isMethod && (receiver.text === "self" || receiver.text === "cls")) return { fn: f, offset: 1 };
    }
    return null;
  }

  private qnameIsImport(id: SyntaxNode): boolean {
    const q = this.qname(id);
    return q !== null && q !== id.text;
  }

  private applySummary(
    fn: FunctionInfo,
    offset: number,
    call: SyntaxNode,
    args: ReturnType<typeof callArgs>,
    posTaints: Taint[],
    kwTaints: Map<string, Taint>,
    splat: Taint,
    run: Run,
  ): Taint {
    const summary = this.summaries.get(fn);
    const paramTaint = (index: number): Taint => {
      const name = fn.params[index];
      if (name !== undefined && kwTaints.has(name)) return kwTaints.get(name)!;
      const pos = index - offset;
      if (pos >= 0 && pos < posTaints.length) return posTaints[pos]!;
      return splat;
    };
    const callStep = step(call, `through ${fn.name}()`);
    if (!summary) return withStep(unionAll([...posTaints, ...kwTaints.values(), splat]), callStep);
    if (run.report) {
      for (const s of summary.sinks) {
        const t = paramTaint(s.param);
        const facts = clear(t, s.cleared);
        const inner = [step(call, `passed to ${fn.name}() as ${fn.params[s.param] ?? "argument"}`), ...s.path];
        this.reportFacts(s.cls, s.sink, s.sinkName, facts, run, inner);
      }
    }
    let out: Taint = CLEAN;
    for (const f of summary.ret) {
      const src = this.sources[f.src]!;
      if (src.param && src.param.fn === fn.qualname) {
        const t = clear(paramTaint(src.param.index), f.cleared);
        out = union(out, t.map((g) => ({ src: g.src, cleared: g.cleared, path: [...g.path, callStep, ...f.path] })));
      } else if (!src.param) {
        out = union(out, [{ src: f.src, cleared: f.cleared, path: [...f.path, callStep] }]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- sinks

  private checkCallSink(
    s: SinkModel,
    call: SyntaxNode,
    args: ReturnType<typeof callArgs>,
    argTaint: (pos: number | undefined, kw: string | undefined) => Taint | undefined,
    recvTaint: Taint,
    name: string,
    run: Run,
  ): void {
    if (s.requiresTruthyKeyword) {
      const kw = args.keywords.get(s.requiresTruthyKeyword);
      if (!kw || ["False", "None", "0", "''", '""'].includes(kw.text)) return;
    }
    if (s.safeWhenArg) {
      const a = args.keywords.get(s.safeWhenArg.kw) ?? (s.safeWhenArg.pos !== undefined ? args.positional[s.safeWhenArg.pos] : undefined);
      if (a) {
        const resolved = unparen(a).type === "identifier" ? (this.resolveAssigned(unparen(a), run.fn) ?? a) : a;
        const text = `${a.text} ${resolved.text}`.replace(/\s+/g, "");
        if (s.safeWhenArg.contains.some((w) => text.includes(w.replace(/\s+/g, "")))) return;
      }
    }
    let t: Taint = CLEAN;
    if (s.args === "receiver") t = recvTaint;
    else if (s.args === "all") t = unionAll([...args.positional.keys()].map((i) => argTaint(i, undefined) ?? CLEAN));
    else for (const a of s.args) t = union(t, argTaint(a.pos, a.kw) ?? CLEAN);
    this.reportFacts(s.class, call, name, t, run, []);
  }

  private checkStoreSink(container: SyntaxNode, t: Taint, at: SyntaxNode, run: Run): void {
    if (!t.length) return;
    const q = this.qname(container);
    const attr = container.type === "attribute" ? container.childForFieldName("attribute")!.text : container.type === "identifier" ? container.text : null;
    for (const s of this.m.storeSinks) {
      const byObject = q !== null && (s.objects ?? []).includes(q);
      const byAttr = container.type === "attribute" && attr !== null && (s.attributes ?? []).includes(attr);
      if (byObject || byAttr) this.reportFacts(s.class, at, `${container.text}[...] =`, t, run, []);
    }
  }

  private reportFacts(cls: VulnClass, sink: SyntaxNode, sinkName: string, facts: Taint, run: Run, inner: FlowStep[]): void {
    const bit = CLASS_BIT[cls];
    for (const f of facts) {
      if (f.cleared & bit) continue;
      if (cls === "path-traversal" && f.cleared & CALLER_PATH_BIT) continue;
      const src = this.sources[f.src]!;
      if (src.param) {
        if (run.mode === "summary" && run.summaryFn && src.param.fn === run.summaryFn.qualname)
          run.summarySinks.push({ param: src.param.index, cleared: f.cleared, cls, sink, sinkName, path: [...f.path, ...inner] });
        continue;
      }
      const key = `${cls}:${sink.startIndex}`;
      if (this.hitKeys.has(key)) continue;
      this.hitKeys.add(key);
      const flow: FlowStep[] = [
        { line: src.line, col: src.col, message: `source: ${src.label}` },
        ...f.path,
        ...inner,
        { line: sink.startPosition.row + 1, col: sink.startPosition.column, message: `sink: ${sinkName}` },
      ];
      this.hits.push({ cls, sink, sinkName, source: src, flow });
    }
  }

  // ---------------------------------------------------------------- guards

  /** Names a check on `expr` validates: the value itself and the values it is a view of. */
  private roots(expr: SyntaxNode, run: Run, depth = 0): string[] {
    if (depth > 32) return [];
    const e = unparen(expr);
    if (e.type === "identifier") return [e.text];
    if (e.type === "attribute") {
      const obj = unparen(e.childForFieldName("object")!);
      const out = this.roots(obj, run, depth + 1);
      if (obj.type === "identifier") out.push(`${obj.text}.${e.childForFieldName("attribute")!.text}`);
      return out;
    }
    if (e.type === "call") {
      const view = this.viewOfCall(e);
      if (view) return this.roots(view.base, run, depth + 1);
      const fnNode = e.childForFieldName("function");
      const q = fnNode ? this.qname(fnNode) : null;
      if (q === "os.path.commonpath" || q === "os.path.commonprefix") {
        const a0 = this.args(e).positional[0];
        if (a0 && (a0.type === "list" || a0.type === "tuple")) return a0.namedChildren.flatMap((c) => this.roots(c, run, depth + 1));
      }
    }
    return [];
  }

  /** `urlparse(u).hostname`/`.netloc`, or a name assigned from one: a suffix check on it is a domain check. */
  private isHostValue(n: SyntaxNode, run: Run, depth = 0): boolean {
    if (depth > 16) return false;
    let e = unparen(n);
    if (e.type === "identifier") e = this.resolveAssigned(e, run.fn) ?? e;
    if (e.type === "call" && e.childForFieldName("function")?.type === "attribute") {
      // `host.lower()` and similar views.
      const obj = e.childForFieldName("function")!.childForFieldName("object");
      if (obj) return this.isHostValue(obj, run, depth + 1);
    }
    return e.type === "attribute" && ["hostname", "netloc", "host"].includes(e.childForFieldName("attribute")!.text);
  }

  /** What holds when `cond` evaluates to `truth`: validated names with the classes they are safe for. */
  private checks(cond: SyntaxNode, truth: boolean, run: Run, depth = 0, noFalsy = false): Map<string, number> {
    const out = new Map<string, number>();
    if (depth > 50) return out;
    const c = unparen(cond);
    switch (c.type) {
      case "not_operator": {
        const arg = c.childForFieldName("argument");
        return arg ? this.checks(arg, !truth, run, depth + 1, noFalsy) : out;
      }
      case "boolean_operator": {
        const op = c.childForFieldName("operator")?.text;
        const l = this.checks(c.childForFieldName("left")!, truth, run, depth + 1, noFalsy);
        const r = this.checks(c.childForFieldName("right")!, truth, run, depth + 1, noFalsy);
        const both = (op === "and") === truth;
        if (both) {
          for (const [k, v] of l) out.set(k, v);
          for (const [k, v] of r) out.set(k, (out.get(k) ?? 0) | v);
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
        if ((opText === "in" && truth) || (opText === "not in" && !truth)) add(this.roots(a, run), ALL_CLASSES_MASK);
        // `"\n" in value` failing: the value has no line break, so it cannot split a header or line.
        if ((opText === "in" && !truth) || (opText === "not in" && truth)) {
          const lit = this.literalString(a, run.fn);
          if (lit !== null && /[\r\n]/.test(lit)) add(this.roots(b, run), CLASS_BIT.injection);
        }
        if ((opText === "==" && truth) || (opText === "!=" && !truth)) {
          add(this.roots(a, run), ALL_CLASSES_MASK);
          add(this.roots(b, run), ALL_CLASSES_MASK);
        }
        return out;
      }
      case "call":
        return this.callChecks(c, truth, run, depth);
      case "identifier": {
        // A falsy value (empty string, None) carries nothing.
        if (!truth && !noFalsy) add(this.roots(c, run), ALL_CLASSES_MASK);
        // `ok = validator(x)` ... `if ok:` (single assignment of a check).
        const assigned = this.resolveAssigned(c, run.fn);
        if (assigned && assigned.type === "call") for (const [k, v] of this.callChecks(assigned, truth, run, depth + 1)) out.set(k, (out.get(k) ?? 0) | v);
        return out;
      }
      case "attribute":
        if (!truth && !noFalsy) add(this.roots(c, run), ALL_CLASSES_MASK);
        return out;
      default:
        return out;
    }
    function add(names: string[], mask: number): void {
      for (const n of names) out.set(n, (out.get(n) ?? 0) | mask);
    }
  }

  private callChecks(c: SyntaxNode, truth: boolean, run: Run, depth: number): Map<string, number> {
    const out = new Map<string, number>();
    const fnNode = c.childForFieldName("function");
    if (!fnNode) return out;
    const args = this.args(c);
    const q = this.qname(fnNode);
    const method = fnNode.type === "attribute" ? fnNode.childForFieldName("attribute")!.text : null;
    const receiver = fnNode.type === "attribute" ? unparen(fnNode.childForFieldName("object")!) : null;
    const add = (names: string[], mask: number) => {
      for (const n of names) out.set(n, (out.get(n) ?? 0) | mask);
    };
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
          const inner = this.checks(body, q === "all", run, depth + 1);
          let mask = 0;
          for (const v of vars) if (inner.has(v)) mask |= inner.get(v)!;
          if (vars.length && mask && right) add(this.roots(right, run), mask);
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
          for (const [k, v] of this.checks(body, true, run, depth + 1)) if (!vars.has(k.split(".")[0]!)) add([k], v);
        }
      }
      return out;
    }
    if (!truth) return out;
    if (method === "endswith" && receiver && this.isHostValue(receiver, run)) {
      add(this.roots(receiver, run), CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      return out;
    }
    if (q === "isinstance") {
      const [x, t] = args.positional;
      if (x && t && !/\b(str|bytes|object|dict|list)\b/.test(t.text)) add(this.roots(x, run), ALL_CLASSES_MASK);
      return out;
    }
    if (method === "startswith" && receiver) {
      const names = this.roots(receiver, run);
      const normalized = (unparen(receiver).type === "call" && this.viewOfCall(unparen(receiver))?.normalizes) || names.some((n) => run.fn?.normalized.has(n));
      if (normalized) add(names, CLASS_BIT["path-traversal"]);
      const prefix = this.literalString(args.positional[0], run.fn);
      if (prefix !== null && /^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\//i.test(prefix)) add(names, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      return out;
    }
    const models = (q ? this.m.validatorCalls.byCallee.get(q) : undefined) ?? (method && !(q && receiver && this.qname(receiver) !== receiver.text) ? this.m.validatorCalls.byMethod.get(method) : undefined);
    for (const v of models ?? []) {
      if (v.requiresAnchoredPattern) {
        let pattern: string | null;
        if (v.requiresAnchoredPattern.pos === -1) {
          // Compiled pattern: find its re.compile literal.
          const r = receiver ? (unparen(receiver).type === "call" ? unparen(receiver) : this.resolveAssigned(unparen(receiver), run.fn)) : null;
          pattern = r && r.type === "call" ? this.literalString(this.args(r).positional[0], run.fn) : null;
          if (pattern === null || !isAnchoredPattern(pattern, method === "search")) continue;
        } else {
          pattern = this.literalString(args.keywords.get(v.requiresAnchoredPattern.kw) ?? args.positional[v.requiresAnchoredPattern.pos], run.fn);
          if (pattern === null || !isAnchoredPattern(pattern, q?.endsWith("search") ?? false)) continue;
        }
      }
      const checked = v.checked === "receiver" ? receiver : (args.keywords.get(v.checked.kw ?? "") ?? (v.checked.pos !== undefined ? args.positional[v.checked.pos] : undefined));
      if (checked) add(this.roots(checked, run), classMask(v.clears));
    }
    return out;
  }

  /** Applies what `cond == truth` establishes to the state (and to values the checked ones view). */
  refine(state: State, cond: SyntaxNode, truth: boolean, run: Run): State {
    const checked = this.checks(cond, truth, run);
    for (const [name, mask] of checked) this.clearName(state, name, mask, run);
    return state;
  }

  private clearName(state: State, name: string, mask: number, run: Run): void {
    let cur: string | undefined = name;
    for (let hops = 0; cur !== undefined && hops < 6; hops++) {
      const t = this.read(state, cur);
      if (t.length) state.set(cur, clear(t, mask));
      cur = run.fn?.viewOf.get(cur);
    }
  }

  /** Whether any branch condition or checking loop in the function validates a value for `cls`. */
  private validates(fn: FunctionInfo, cls: VulnClass, run: Run): boolean {
    const key = `${fn.node.id}:${cls}`;
    const cached = this.validatesCache.get(key);
    if (cached !== undefined) return cached;
    const bit = CLASS_BIT[cls];
    let found = false;
    const stack: SyntaxNode[] = [fn.node.childForFieldName("body") ?? fn.node];
    while (stack.length && !found) {
      const n = stack.pop()!;
      if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
      const cond = n.type === "if_statement" || n.type === "elif_clause" || n.type === "while_statement" ? n.childForFieldName("condition") : n.type === "assert_statement" ? n.namedChildren[0] : null;
      // Emptiness tests (`if params:`) are not validation.
      if (cond) for (const truth of [true, false]) for (const m of this.checks(cond, truth, run, 0, true).values()) if (m & bit) found = true;
      if (n.type === "for_statement" && (this.loopCheck(n, run)?.mask ?? 0) & bit) found = true;
      for (const c of n.namedChildren) stack.push(c);
    }
    this.validatesCache.set(key, found);
    return found;
  }

  /** `for e in X:` whose body raises/returns unless a check on `e` holds: X is validated on exit. */
  private loopCheck(forStmt: SyntaxNode, run: Run): { roots: string[]; mask: number } | null {
    const cached = this.loopChecks.get(forStmt.id);
    if (cached !== undefined) return cached;
    let result: { roots: string[]; mask: number } | null = null;
    const left = forStmt.childForFieldName("left");
    const right = forStmt.childForFieldName("right");
    const body = forStmt.childForFieldName("body");
    if (left && right && body) {
      const vars = targetNames(left);
      const iterQ = unparen(right).type === "call" ? this.qname(unparen(right).childForFieldName("function")!) : null;
      const astWalk = iterQ === "ast.walk";
      let mask = 0;
      for (const s of body.namedChildren) {
        if (s.type !== "if_statement") continue;
        const cond = s.childForFieldName("condition");
        const cons = s.childForFieldName("consequence");
        if (!cond || !cons) continue;
        const last = cons.namedChildren[cons.namedChildren.length - 1];
        if (!last || (last.type !== "raise_statement" && last.type !== "return_statement")) continue;
        const passed = this.checks(cond, false, run);
        for (const v of vars) if (passed.has(v)) mask |= passed.get(v)!;
        // AST inspection: rejecting node types while walking the parsed tree.
        if (astWalk && /\bisinstance\s*\(/.test(cond.text)) mask |= CLASS_BIT["code-injection"] | CLASS_BIT["command-injection"];
      }
      if (mask) result = { roots: this.roots(right, run), mask };
    }
    this.loopChecks.set(forStmt.id, result);
    return result;
  }

  private edgeState(out: State, e: CfgEdge, cfg: Cfg, run: Run): State {
    if ((e.kind === "true" || e.kind === "false") && e.cond) return this.refine(new Map(out), e.cond, e.kind === "true", run);
    if (e.kind === "loop-exit") {
      const header = cfg.blocks[e.from]!;
      const it = header.elements[header.elements.length - 1];
      if (it?.kind === "for-iter") {
        const lc = this.loopCheck(it.node, run);
        if (lc) {
          const s = new Map(out);
          for (const r of lc.roots) this.clearName(s, r, lc.mask, run);
          return s;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- statements

  private transfer(el: Cfg["blocks"][number]["elements"][number], state: State, run: Run): void {
    if ((++this.transfers & 255) === 0) this.checkTime();
    const n = el.node;
    switch (el.kind) {
      case "cond":
        this.evalExpr(n, state, run, 0);
        return;
      case "match-subject":
        state.set(`@match:${el.owner?.id ?? n.id}`, this.evalExpr(n, state, run, 0));
        return;
      case "for-iter": {
        const right = n.childForFieldName("right");
        state.set(`@iter:${n.id}`, right ? this.evalExpr(right, state, run, 0) : CLEAN);
        return;
      }
      case "for-bind": {
        const left = n.childForFieldName("left");
        if (left) this.assign(left, this.read(state, `@iter:${n.id}`), state, run, n);
        return;
      }
      case "with-bind": {
        const value = n.childForFieldName("value");
        if (!value) return;
        if (value.type === "as_pattern") {
          const t = this.evalExpr(value.namedChildren[0]!, state, run, 0);
          const alias = value.childForFieldName("alias");
          for (const name of targetNames(alias)) state.set(name, withStep(t, step(n, `bound to ${name}`)));
        } else this.evalExpr(value, state, run, 0);
        return;
      }
      case "except-bind": {
        const value = n.childForFieldName("value");
        if (value?.type === "as_pattern") for (const name of targetNames(value.childForFieldName("alias"))) state.set(name, CLEAN);
        return;
      }
      case "case": {
        const subject = this.read(state, `@match:${el.owner?.id ?? 0}`);
        for (const p of n.namedChildren) if (p.type === "case_pattern") for (const id of p.descendantsOfType("identifier")) state.set(id.text, subject);
        return;
      }
      case "def": {
        const name = n.childForFieldName("name");
        if (name) state.set(name.text, CLEAN);
        if (run.report && n.type === "function_definition") this.analyzeNested(n, state, run);
        return;
      }
      case "lambda-body": {
        run.returns = union(run.returns, this.evalExpr(n, state, run, 0));
        return;
      }
      case "stmt":
        this.statement(n, state, run);
        return;
    }
  }

  private statement(n: SyntaxNode, state: State, run: Run): void {
    switch (n.type) {
      case "expression_statement": {
        for (const c of n.namedChildren) {
          if (c.type === "assignment") this.assignment(c, state, run);
          else if (c.type === "augmented_assignment") {
            const left = c.childForFieldName("left")!;
            const right = c.childForFieldName("right")!;
            const t = union(this.evalExpr(left, state, run, 0), this.evalExpr(right, state, run, 0));
            if (unparen(left).type === "identifier") this.assign(left, t, state, run, c);
            else this.weakUpdate(left, t, state, c);
          } else this.evalExpr(c, state, run, 0);
        }
        return;
      }
      case "return_statement": {
        const value = n.namedChildren[0];
        const t = value ? this.evalExpr(value, state, run, 0) : CLEAN;
        run.returns = union(run.returns, withStep(t, step(n, "returned")));
        if (run.report && run.fn) {
          const classes: VulnClass[] = [];
          if (run.isEntry) classes.push(...(this.opts.returnSinkClasses ?? []));
          if (run.fn.isRoute) classes.push("xss");
          for (const cls of classes) {
            // An inferred sink (the returned value): when the function already validates some value
            // for this class, its other parameters are taken as trusted configuration (base URLs).
            const inferred = run.isEntry && this.opts.returnSinkSplicedOnly && !(run.fn.isRoute && cls === "xss") ? t.filter((f) => f.cleared & SPLICED_BIT) : t;
            const facts = this.validates(run.fn, cls, run) ? inferred.filter((f) => !this.sources[f.src]!.label.startsWith("parameter ")) : inferred;
            this.reportFacts(cls, n, run.fn.isRoute && cls === "xss" ? "HTTP response body" : `value returned by ${run.fn.name}()`, facts, run, []);
          }
        }
        return;
      }
      case "import_statement":
      case "import_from_statement":
      case "future_import_statement":
        return;
      case "delete_statement":
        for (const c of n.namedChildren) for (const name of targetNames(c)) if (unparen(c).type === "identifier") state.delete(name);
        return;
      default:
        for (const c of n.namedChildren) if (c.type !== "comment") this.evalExpr(c, state, run, 0);
    }
  }

  private assignment(a: SyntaxNode, state: State, run: Run): void {
    const left = a.childForFieldName("left");
    const right = a.childForFieldName("right");
    if (!right) return;
    // Chained `a = b = v`: the right side is itself an assignment.
    if (right.type === "assignment") {
      this.assignment(right, state, run);
      const inner = right.childForFieldName("left");
      const t = inner ? this.evalExpr(inner, state, run, 0) : CLEAN;
      if (left) this.assign(left, t, state, run, a);
      return;
    }
    const l = left ? unparen(left) : null;
    const r = unparen(right);
    // Element-wise unpacking of `a, b = x, y`.
    if (l && (l.type === "pattern_list" || l.type === "tuple_pattern" || l.type === "tuple") && (r.type === "expression_list" || r.type === "tuple") && l.namedChildCount === r.namedChildCount) {
      const ts = r.namedChildren.map((c) => this.evalExpr(c, state, run, 0));
      l.namedChildren.forEach((c, i) => this.assign(c, ts[i]!, state, run, a));
      return;
    }
    const t = this.evalExpr(right, state, run, 0);
    if (left) this.assign(left, t, state, run, a);
  }

  // ---------------------------------------------------------------- functions

  /** Solves one graph to a fixpoint, then replays it once with reporting on. */
  private solve(cfg: Cfg, init: State, run: Run, exitOut?: State): Taint {
    const n = cfg.blocks.length;
    const ins: (State | undefined)[] = new Array(n);
    ins[cfg.entry] = new Map(init);
    const order = reversePostorder(cfg);
    const inWork = new Uint8Array(n);
    const work: number[] = [...order].reverse();
    for (const b of work) inWork[b] = 1;
    const pos = new Int32Array(n).fill(n);
    order.forEach((b, i) => (pos[b] = i));
    let iterations = 0;
    const quiet: Run = { ...run, report: false };
    while (work.length) {
      if ((++iterations & 63) === 0) this.checkTime();
      if (iterations > 20000) {
        this.truncated = true;
        break;
      }
      // Process the earliest block in reverse postorder first.
      let best = 0;
      for (let i = 1; i < work.length; i++) if (pos[work[i]!]! < pos[work[best]!]!) best = i;
      const b = work.splice(best, 1)[0]!;
      inWork[b] = 0;
      const inState = ins[b];
      if (!inState) continue;
      const state = new Map(inState);
      for (const el of cfg.blocks[b]!.elements) this.transfer(el, state, quiet);
      for (const e of cfg.blocks[b]!.succs) {
        const out = this.edgeState(state, e, cfg, quiet);
        const cur = ins[e.to];
        if (!cur) {
          ins[e.to] = new Map(out);
          if (!inWork[e.to]) (work.push(e.to), (inWork[e.to] = 1));
        } else if (joinInto(cur, out) && !inWork[e.to]) {
          work.push(e.to);
          inWork[e.to] = 1;
        }
      }
    }
    if (exitOut) {
      const exit = ins[cfg.exit];
      if (exit) for (const [k, v] of exit) if (!k.startsWith("@")) exitOut.set(k, v);
    }
    // Reporting pass over the fixed states.
    run.returns = CLEAN;
    for (const b of order) {
      const inState = ins[b];
      if (!inState) continue;
      const state = new Map(inState);
      for (const el of cfg.blocks[b]!.elements) this.transfer(el, state, run);
    }
    return run.returns;
  }

  private analyzeNested(node: SyntaxNode, captured: State, outer: Run): void {
    if (outer.depth >= MAX_NESTED_ANALYSIS_DEPTH) return;
    const info = this.byNode.get(node.id);
    if (!info) return;
    const init = new Map(captured);
    for (const p of info.params) init.delete(p);
    // Findings inside a closure are reported against the enclosing function's sources.
    const run: Run = { fn: info, summaryFn: outer.summaryFn, mode: outer.mode, report: true, returns: CLEAN, isEntry: false, summarySinks: outer.summarySinks, depth: outer.depth + 1 };
    this.solve(info.cfg, init, run);
  }

  private paramState(fn: FunctionInfo, mode: Mode, tainted: boolean): State {
    const s = new Map<string, Taint>();
    fn.params.forEach((p, i) => {
      if (mode === "summary") {
        const src = this.source(`parameter ${p} of ${fn.name}()`, fn.node, { fn: fn.qualname, index: i });
        s.set(p, [{ src: src.id, cleared: 0, path: [] } satisfies Fact]);
      } else if (tainted && !(i === 0 && fn.isMethod && (p === "self" || p === "cls"))) {
        if (this.opts.untrustedParams && fn.name === this.opts.entryFunction && !this.opts.untrustedParams.includes(p)) return;
        const src = this.source(`parameter ${p} of ${fn.name}()`, fn.cfg.owner.childForFieldName("parameters") ?? fn.node);
        // A path the caller passes is the caller's choice; it becomes a traversal risk once it is
        // composed under a base folder (os.path.join, `/`, string building), see composePath.
        s.set(p, [{ src: src.id, cleared: fn.isRoute ? 0 : CALLER_PATH_BIT, path: [] }]);
      } else s.set(p, CLEAN);
    });
    return s;
  }

  private isEntry(fn: FunctionInfo): boolean {
    if (this.opts.entryFunction) return fn.name === this.opts.entryFunction || fn.qualname === this.opts.entryFunction;
    if (fn.isRoute) return true;
    const topLevel = fn.node.parent?.type === "module" || (fn.node.parent?.type === "decorated_definition" && fn.node.parent.parent?.type === "module");
    // A public function nobody in the file calls is an API entry point; one that is called gets
    // its arguments' taint from its call sites (through its summary) instead.
    return topLevel && !fn.name.startsWith("_") && fn.name !== "<lambda>" && !this.calledNames.has(fn.name);
  }

  /** Runs the whole analysis; hits accumulate in `this.hits`. */
  run(): void {
    // Only functions that are called somewhere in the file need summaries.
    const called = this.calledNames;
    const calls = this.mod.root.descendantsOfType("call");
    for (let i = 0; i < calls.length; i++) {
      if ((i & 4095) === 4095) this.checkTime();
      const f = calls[i]!.childForFieldName("function");
      if (f?.type === "identifier") called.add(f.text);
      else if (f?.type === "attribute") called.add(f.childForFieldName("attribute")?.text ?? "");
    }
    const named = this.functions.filter((f) => f.name !== "<lambda>" && called.has(f.name));
    // Summaries to a fixpoint (recursion and call chains), bounded.
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const fn of named) {
        this.checkTime();
        const run: Run = { fn, summaryFn: fn, mode: "summary", report: true, returns: CLEAN, isEntry: false, summarySinks: [], depth: 0 };
        const ret = this.solve(fn.cfg, this.paramState(fn, "summary", false), run);
        const key = summaryKey(ret, run.summarySinks);
        const prev = this.summaries.get(fn);
        if (!prev || prev.key !== key) {
          changed = true;
          this.summaries.set(fn, { ret, sinks: dedupeSinks(run.summarySinks), key });
        }
      }
      if (!changed) break;
    }
    // Module code, then every function with its real sources.
    const moduleRun: Run = { fn: null, summaryFn: null, mode: "final", report: true, returns: CLEAN, isEntry: false, summarySinks: [], depth: 0 };
    const moduleState = new Map<string, Taint>();
    this.solveModule(moduleState, moduleRun);
    for (const fn of this.functions) {
      if (fn.name === "<lambda>" && fn.node.parent?.type !== "module") continue;
      this.checkTime();
      const entry = this.isEntry(fn);
      const run: Run = { fn, summaryFn: null, mode: "final", report: true, returns: CLEAN, isEntry: entry, summarySinks: [], depth: 0 };
      this.solve(fn.cfg, this.paramState(fn, "final", entry), run);
    }
  }

  private solveModule(state: State, run: Run): void {
    // Globals seen by functions: the module's state at its exit.
    const exit = new Map<string, Taint>();
    this.solve(this.cfgs.module, state, run, exit);
    this.globals = exit;
  }
}

let bareNameTable: Map<string, string> | null = null;
const BUILTIN_NAMES = new Set(["open", "eval", "exec", "compile", "input", "int", "float", "str", "len", "bool", "type", "hash", "range", "abs", "round", "id", "ord", "isinstance", "issubclass", "callable", "complex", "file", "execfile", "raw_input", "__import__"]);

/** Last segment -> qualified name, for model callees whose last segment is unambiguous. */
function bareNames(): Map<string, string> {
  if (bareNameTable) return bareNameTable;
  const m = models();
  // qualified name -> its roles; a last segment is usable when all its qualified names play the same roles.
  const roles = new Map<string, Set<string>>();
  const note = (callees: string[] | undefined, role: string) => {
    for (const c of callees ?? []) if (c.includes(".")) roles.set(c, (roles.get(c) ?? new Set()).add(role));
  };
  for (const e of m.sinks) note(e.callees, `sink:${e.class}`);
  for (const e of m.sanitizers) note(e.callees, `san:${JSON.stringify(e.clears)}`);
  for (const e of m.validators) note(e.callees, `val:${JSON.stringify(e.clears)}`);
  for (const e of m.views) note(e.callees, `view:${e.normalizesPath ? 1 : 0}`);
  for (const e of m.sources) note(e.callees, `src:${e.label}`);
  const byLast = new Map<string, { name: string; sig: string }[]>();
  for (const [name, rs] of roles) {
    const last = name.slice(name.lastIndexOf(".") + 1);
    if (BUILTIN_NAMES.has(last)) continue;
    byLast.set(last, [...(byLast.get(last) ?? []), { name, sig: [...rs].sort().join("|") }]);
  }
  bareNameTable = new Map();
  for (const [last, list] of byLast) {
    // Usable when every module's function of that name shares a role (all are redirect sinks);
    // then take the one with the most roles.
    const sets = list.map((x) => new Set(x.sig.split("|")));
    const shared = [...sets[0]!].filter((r) => sets.every((set) => set.has(r)));
    if (!shared.length) continue;
    const best = list.reduce((a, b) => (b.sig.split("|").length > a.sig.split("|").length ? b : a));
    bareNameTable.set(last, best.name);
  }
  return bareNameTable;
}

function summaryKey(ret: Taint, sinks: SummarySink[]): string {
  const r = ret.map((f) => `${f.src}/${f.cleared}`).sort().join(",");
  const s = sinks.map((x) => `${x.param}/${x.cleared}/${x.cls}/${x.sink.startIndex}`).sort().join(",");
  return `${r}|${s}`;
}

function dedupeSinks(sinks: SummarySink[]): SummarySink[] {
  const seen = new Set<string>();
  return sinks.filter((s) => {
    const k = `${s.param}/${s.cleared}/${s.cls}/${s.sink.startIndex}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Convenience: analyze a parsed module. */
export function analyzeTaint(mod: ParsedModule, opts: TaintOptions = {}): { hits: TaintHit[]; sources: TaintSource[]; truncated: boolean } {
  const a = new ModuleTaintAnalysis(mod, opts);
  a.run();
  return { hits: a.hits, sources: a.sources, truncated: a.truncated };
}
