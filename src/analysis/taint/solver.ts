/**
 * The code-flow pass of the taint analysis: each function's CFG solved as a forward dataflow
 * problem (statement transfer functions, joins at merge points, guard refinement on branch
 * edges), summaries of same-file functions computed to a fixpoint, and the final reporting runs.
 *
 * The state maps local names (and access paths such as `self.x`) to taint facts. At a merge point
 * the states of the incoming edges are joined, which is the phi of the SSA form; the SSA form
 * itself (src/analysis/python/ssa.ts) answers which definition reaches a use for the binder and
 * the guards (see program.ts).
 */
import type { Cfg, SyntaxNode } from "../python/cfg.js";
import { isNoReturnStatement, reversePostorder } from "../python/cfg.js";
import { targetNames } from "../python/ssa.js";
import { RAISED, step, unparen, type FunctionInfo, type Mode, type Run, type SummarySink, type Summary, type TaintOptions } from "./context.js";
import { MUTATORS, responseTupleTaint, tupleParts } from "./value-rules.js";
import { CLEAN, dropFields, fieldKey, joinInto, mark, unclear, union, withStep, type Fact, type State, type Taint } from "./facts.js";
import type { Evaluator, NestedAnalyzer } from "./evaluator.js";
import type { Guards } from "./guards.js";
import { EMBEDDED_BIT, HANDLE_BIT, SPLICED_BIT, type VulnClass } from "./models/index.js";
import type { Program } from "./program.js";
import type { Reporter } from "./report.js";
import { QUOTE_MARKS, quoteVariants } from "./quotes.js";

const MAX_NESTED_ANALYSIS_DEPTH = 8;

/** The same run, reporting nothing (a second look at values already reported on). */
function quietRun(run: Run): Run {
  return run.report ? { ...run, report: false } : run;
}

export class Solver implements NestedAnalyzer {
  private transfers = 0;
  e!: Evaluator;

  constructor(
    private readonly p: Program,
    private readonly r: Reporter,
    private readonly g: Guards,
    private readonly summaries: Map<FunctionInfo, Summary>,
    private readonly opts: TaintOptions,
  ) {}

  // ---------------------------------------------------------------- statements

  private transfer(el: Cfg["blocks"][number]["elements"][number], state: State, run: Run): void {
    if ((++this.transfers & 255) === 0) this.p.checkTime();
    const n = el.node;
    switch (el.kind) {
      case "cond":
        this.e.evalExpr(n, state, run, 0);
        return;
      case "match-subject":
        state.set(`@match:${el.owner?.id ?? n.id}`, this.e.evalExpr(n, state, run, 0));
        return;
      case "for-iter": {
        const right = n.childForFieldName("right");
        state.set(`@iter:${n.id}`, right ? this.e.evalExpr(right, state, run, 0) : CLEAN);
        return;
      }
      case "for-bind": {
        const left = n.childForFieldName("left");
        // Iterating a file object yields its lines; an element of a container checked with
        // `"'" in c` may still hold a quote (the check compared whole elements).
        if (left) this.e.assign(left, unclear(this.e.read(state, `@iter:${n.id}`), HANDLE_BIT | QUOTE_MARKS), state, run, n);
        return;
      }
      case "with-bind": {
        const value = n.childForFieldName("value");
        if (!value) return;
        if (value.type === "as_pattern") {
          const t = this.e.enteredValue(value.namedChildren[0]!, state, run);
          const alias = value.childForFieldName("alias");
          for (const name of targetNames(alias)) state.set(name, withStep(t, step(n, `bound to ${name}`)));
        } else this.e.evalExpr(value, state, run, 0);
        return;
      }
      case "except-bind": {
        const value = n.childForFieldName("value");
        const raised = state.get(RAISED) ?? CLEAN;
        if (value?.type === "as_pattern") for (const name of targetNames(value.childForFieldName("alias"))) state.set(name, raised.length ? withStep(raised, step(n, `caught as ${name}`)) : CLEAN);
        return;
      }
      case "case": {
        const subject = this.e.read(state, `@match:${el.owner?.id ?? 0}`);
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
        run.returns = union(run.returns, this.e.evalExpr(n, state, run, 0));
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
            const op = c.children.find((x) => !x.isNamed)?.text ?? "";
            const rt = this.e.evalExpr(right, state, run, 0);
            // `q += value` appends the value to what `q` already holds.
            // The new text is not the checked text: quote marks go (quotes.ts).
            const t = union(unclear(this.e.evalExpr(left, state, run, 0), QUOTE_MARKS), op === "+=" || op === "/=" || op === "%=" ? mark(rt, EMBEDDED_BIT) : rt);
            if (unparen(left).type === "identifier") this.e.assign(left, t, state, run, c);
            else this.e.weakUpdate(left, t, state, c);
          } else this.e.evalExpr(c, state, run, 0);
        }
        // A call that raises unless its check holds (`p.resolve().relative_to(base)`) validates
        // the value for the code after it, unless a `try` around it swallows the failure.
        for (const [name, mask] of this.g.raisingChecks(n, run.fn)) this.g.clearName(state, name, mask);
        // The same for a same-file helper that raises unless its argument passes a check.
        for (const [name, mask] of this.e.helperChecks(n)) this.g.clearName(state, name, mask);
        return;
      }
      case "return_statement": {
        const value = n.namedChildren[0];
        // A route returning `(body, status, headers)`: only the body is the page.
        const responseParts = value && run.fn?.isRoute ? tupleParts(value) : null;
        const t = responseParts && responseParts.length > 1 ? responseTupleTaint(responseParts.map((c) => this.e.evalExpr(c, state, run, 0))) : value ? this.e.evalExpr(value, state, run, 0) : CLEAN;
        run.returns = union(run.returns, withStep(t, step(n, "returned")));
        if (run.mode === "summary" && run.returnElements !== null) {
          const u = value ? unparen(value) : null;
          const parts = u && (u.type === "expression_list" || u.type === "tuple") && !u.namedChildren.some((c) => c.type === "list_splat" || c.type === "comment") ? u.namedChildren : null;
          if (!parts || (run.returnElements && run.returnElements.length !== parts.length)) run.returnElements = null;
          else {
            const ts = parts.map((c) => withStep(this.e.evalExpr(c, state, quietRun(run), 0), step(n, "returned")));
            run.returnElements = run.returnElements ? run.returnElements.map((x, i) => union(x, ts[i]!)) : ts;
          }
        }
        if (run.report && run.fn) {
          const classes: VulnClass[] = [];
          if (run.isEntry) classes.push(...(this.opts.returnSinkClasses ?? []));
          if (run.fn.isRoute) classes.push("xss");
          for (const cls of classes) {
            // An inferred sink (the returned value): when the function already validates some value
            // for this class, its other parameters are taken as trusted configuration (base URLs).
            const inferred = run.isEntry && this.opts.returnSinkSplicedOnly && !(run.fn.isRoute && cls === "xss") ? t.filter((f) => f.cleared & SPLICED_BIT) : t;
            let facts = this.g.validates(run.fn, cls) ? inferred.filter((f) => !this.r.sources[f.src]!.entryParam) : inferred;
            // A returned path is the task's traversal only when it is built from the task's input
            // (what a file holds is not a path the caller chose).
            if (cls === "path-traversal") facts = facts.filter((f) => this.r.sources[f.src]!.entryParam);
            this.r.reportFacts(cls, n, run.fn.isRoute && cls === "xss" ? "HTTP response body" : `value returned by ${run.fn.name}()`, facts, run, []);
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
      case "raise_statement": {
        // What a handler binds (`except E as e`) is the raised object, which holds its arguments:
        // the exception edge carries it to the handler (except-bind).
        let t: Taint = CLEAN;
        for (const c of n.namedChildren) if (c.type !== "comment") t = union(t, this.e.evalExpr(c, state, run, 0));
        if (t.length) state.set(RAISED, union(state.get(RAISED) ?? CLEAN, withStep(t, step(n, "raised"))));
        return;
      }
      default:
        for (const c of n.namedChildren) if (c.type !== "comment") this.e.evalExpr(c, state, run, 0);
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
      const t = inner ? this.e.evalExpr(inner, state, run, 0) : CLEAN;
      if (left) this.e.assign(left, t, state, run, a);
      return;
    }
    const l = left ? unparen(left) : null;
    const r = unparen(right);
    // Element-wise unpacking of `a, b = x, y`.
    if (l && (l.type === "pattern_list" || l.type === "tuple_pattern" || l.type === "tuple") && (r.type === "expression_list" || r.type === "tuple") && l.namedChildCount === r.namedChildCount) {
      const ts = r.namedChildren.map((c) => this.e.evalExpr(c, state, run, 0));
      l.namedChildren.forEach((c, i) => this.e.assign(c, ts[i]!, state, run, a));
      return;
    }
    // `d = {"q": value, "limit": 10}`: each constant key's value is also kept as a field, so
    // reading `d["limit"]` later is not the union of everything in the dict.
    if (l?.type === "identifier" && r.type === "dictionary" && r.namedChildren.every((c) => c.type === "comment" || (c.type === "pair" && this.e.constantKeyOf(c.childForFieldName("key")) !== null))) {
      const fields: [string, Taint][] = [];
      let t: Taint = CLEAN;
      for (const pair of r.namedChildren) {
        if (pair.type !== "pair") continue;
        const v = pair.childForFieldName("value");
        const vt = v ? this.e.evalExpr(v, state, run, 0) : CLEAN;
        fields.push([this.e.constantKeyOf(pair.childForFieldName("key"))!, vt]);
        t = union(t, vt);
      }
      this.e.assign(l, t, state, run, a);
      for (const [k, vt] of fields) state.set(fieldKey(l.text, k), vt);
      return;
    }
    const t = this.e.evalExpr(right, state, run, 0);
    // `alias = d`: a write through the alias may change any key of `d`, so its fields no longer hold.
    if (r.type === "identifier") dropFields(state, r.text);
    // `a, b = helper()` where the helper returns a tuple: each name gets its element.
    const elements = r.type === "call" && l && (l.type === "pattern_list" || l.type === "tuple_pattern" || l.type === "tuple") ? this.e.returnedElements(r) : null;
    if (elements && l && elements.length === l.namedChildCount && !l.namedChildren.some((c) => c.type === "list_splat_pattern" || c.type === "list_splat")) {
      l.namedChildren.forEach((c, i) => this.e.assign(c, elements[i]!, state, run, a));
      return;
    }
    if (left) this.e.assign(left, t, state, run, a);
  }

  // ---------------------------------------------------------------- functions

  /** Solves one graph to a fixpoint, then replays it once with reporting on. */
  private solve(cfg: Cfg, init: State, run: Run, exitOut?: State, normalExit?: State[]): Taint {
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
      if ((++iterations & 63) === 0) this.p.checkTime();
      if (iterations > 20000) {
        this.p.truncated = true;
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
        // A branch whose condition is a constant never takes the other edge: nothing flows there.
        if (this.p.constants.deadEdge(e, run.fn)) continue;
        const out = this.g.edgeState(state, e, cfg, quiet);
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
    run.raised = ins[cfg.exit]?.get(RAISED) ?? CLEAN;
    if (run.fn) run.nonlocals = new Map(nonlocalNames(run.fn).map((name) => [name, ins[cfg.exit]?.get(name) ?? CLEAN]));
    if (exitOut) {
      const exit = ins[cfg.exit];
      if (exit) for (const [k, v] of exit) if (!k.startsWith("@")) exitOut.set(k, v);
    }
    // Reporting pass over the fixed states.
    run.returns = CLEAN;
    delete run.returnElements;
    for (const b of order) {
      const inState = ins[b];
      if (!inState) continue;
      const state = new Map(inState);
      const elements = cfg.blocks[b]!.elements;
      for (const el of elements) this.transfer(el, state, run);
      if (!normalExit) continue;
      // The states in which the function returns normally: not by raising, nor by a call that
      // never returns (abort(403) raises too).
      const last = elements[elements.length - 1];
      if (last && last.kind === "stmt" && isNoReturnStatement(last.node)) continue;
      for (const e of cfg.blocks[b]!.succs) if (e.to === cfg.exit && e.kind !== "exception" && !this.p.constants.deadEdge(e, run.fn)) normalExit.push(this.g.edgeState(state, e, cfg, quiet));
    }
    return run.returns;
  }

  analyzeNested(node: SyntaxNode, captured: State, outer: Run): void {
    if (outer.depth >= MAX_NESTED_ANALYSIS_DEPTH) return;
    const info = this.p.byNode.get(node.id);
    if (!info) return;
    const init = new Map(captured);
    for (const p of info.params) init.delete(p);
    // Findings inside a closure are reported against the enclosing function's sources.
    const run: Run = { fn: info, summaryFn: outer.summaryFn, mode: outer.mode, report: true, returns: CLEAN, isEntry: false, summarySinks: outer.summarySinks, calledParams: outer.calledParams, depth: outer.depth + 1 };
    this.solve(info.cfg, init, run);
  }

  private paramState(fn: FunctionInfo, mode: Mode, tainted: boolean): State {
    const s = new Map<string, Taint>();
    fn.params.forEach((p, i) => {
      if (mode === "summary") {
        const src = this.r.source(`parameter ${p} of ${fn.name}()`, fn.node, "caller", { param: { fn: fn.qualname, index: i } });
        const facts: Fact[] = [{ src: src.id, cleared: 0, path: [] }];
        // An argument checked to hold no quote is followed as its own variant (quotes.ts).
        for (const marks of quoteVariants(fn)) facts.push({ src: this.r.source(`parameter ${p} of ${fn.name}()`, fn.node, "caller", { param: { fn: fn.qualname, index: i, marks } }).id, cleared: marks, path: [] });
        s.set(p, facts);
      } else if (tainted && !(i === 0 && fn.isMethod && (p === "self" || p === "cls"))) {
        if (this.opts.untrustedParams && fn.name === this.opts.entryFunction && !this.opts.untrustedParams.includes(p)) return;
        // A route handler's parameters are parts of the requested URL (a remote client's); the
        // entry function's are the caller's, whole values until composed into trusted structure.
        const src = this.r.source(`parameter ${p} of ${fn.name}()`, fn.cfg.owner.childForFieldName("parameters") ?? fn.node, fn.isRoute ? "remote" : "caller", { entryParam: true });
        s.set(p, [{ src: src.id, cleared: 0, path: [] }]);
      } else s.set(p, CLEAN);
    });
    // A closure's captured variables are bound at each call, as parameters are.
    if (mode === "summary") {
      for (const name of this.p.closureVariables(fn)) {
        if (s.has(name)) continue;
        const src = this.r.source(`variable ${name} captured by ${fn.name}()`, fn.node, "caller", { closure: { fn: fn.qualname, name } });
        s.set(name, [{ src: src.id, cleared: 0, path: [] }]);
      }
    }
    return s;
  }

  /** Runs the whole analysis; hits accumulate in `this.hits`. */
  run(): void {
    // Only functions that are called somewhere in the file need summaries.
    const called = this.p.calledNames;
    const calledLambdas = new Set([...this.p.byName].filter(([name, f]) => f.name === "<lambda>" && called.has(name)).map(([, f]) => f));
    // A lambda called where it is written (`(lambda f: f(x))(g)`), or kept in a table and
    // called from there (`{"e": lambda s: eval(s)}[k](x)`): every lambda gets a summary.
    for (const f of this.p.functions) if (f.name === "<lambda>") calledLambdas.add(f);
    // A function passed around as a value (returned, put in a table, handed to map) may be called
    // under no name of its own (indirect-calls.ts): it gets a summary too.
    const asValue = this.p.functions.some((f) => f.name !== "<lambda>" && !called.has(f.name)) ? this.p.namesUsedAsValues() : new Set<string>();
    // Python calls some methods itself: `X(...)` runs `__init__` (a dataclass's `__post_init__`),
    // `obj(...)` runs `__call__`, `with obj as v` runs `__enter__`.
    const named = this.p.functions.filter((f) => (f.name !== "<lambda>" && (called.has(f.name) || asValue.has(f.name))) || calledLambdas.has(f) || (f.isMethod && IMPLICITLY_CALLED.has(f.name)));
    // Summaries to a fixpoint (recursion and call chains), bounded.
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const fn of named) {
        this.p.checkTime();
        const run: Run = { fn, summaryFn: fn, mode: "summary", report: true, returns: CLEAN, isEntry: false, summarySinks: [], calledParams: [], depth: 0 };
        const normalExit: State[] = [];
        const ret = this.solve(fn.cfg, this.paramState(fn, "summary", false), run, undefined, normalExit);
        const validated = this.validatedParams(fn, normalExit);
        const retElements = run.returnElements ?? null;
        const elementsKey = retElements ? retElements.map(factsKey).join(";") : "-";
        const calledKey = run.calledParams!.map((c) => `${c.param}@${c.call.id}:${[...c.positional, ...c.keywords.values()].map(factsKey).join(";")}`).join("|");
        const raised = run.raised ?? CLEAN;
        const nonlocals = run.nonlocals ?? new Map<string, Taint>();
        const nonlocalKey = [...nonlocals].map(([n, t]) => `${n}:${factsKey(t)}`).join(";");
        const key = `${summaryKey(ret, run.summarySinks)}|${validated.join(",")}|${elementsKey}|${calledKey}|${factsKey(raised)}|${nonlocalKey}`;
        const prev = this.summaries.get(fn);
        if (!prev || prev.key !== key) {
          changed = true;
          this.summaries.set(fn, { ret, sinks: dedupeSinks(run.summarySinks), calledParams: run.calledParams!, validated, retElements, raised, nonlocals, key });
        }
      }
      if (!changed) break;
    }
    // Module code, then every function with its real sources.
    const moduleRun: Run = { fn: null, summaryFn: null, mode: "final", report: true, returns: CLEAN, isEntry: false, summarySinks: [], depth: 0 };
    const moduleState = new Map<string, Taint>();
    this.solveModule(moduleState, moduleRun);
    this.addGlobalStores();
    for (const fn of this.p.functions) {
      if (fn.name === "<lambda>" && fn.node.parent?.type !== "module") continue;
      this.p.checkTime();
      const entry = this.r.isEntry(fn);
      const run: Run = { fn, summaryFn: null, mode: "final", report: true, returns: CLEAN, isEntry: entry, summarySinks: [], depth: 0 };
      this.solve(fn.cfg, this.paramState(fn, "final", entry), run);
    }
  }

  /**
   * Per parameter, the classes its value is validated for in every state in which the function
   * returns normally. A parameter the function rebinds says nothing about the caller's variable.
   */
  private validatedParams(fn: FunctionInfo, normalExit: State[]): number[] {
    const rebound = reboundNames(fn.node);
    return fn.params.map((p) => {
      if (normalExit.length === 0 || rebound.has(p)) return 0;
      let mask = -1;
      for (const state of normalExit) {
        const facts = state.get(p) ?? CLEAN;
        if (facts.length === 0) return 0;
        for (const f of facts) mask &= f.cleared;
      }
      return mask & ~(EMBEDDED_BIT | SPLICED_BIT | HANDLE_BIT);
    });
  }

  /**
   * A function that stores into a module-level container (`CACHE[k] = v`, `ITEMS.append(v)`,
   * through another name for it, or `global X` and a rebinding) changes what every other function
   * reads from it, in whatever order they run: its state at exit joins the globals, to a fixpoint,
   * before the reporting runs.
   */
  private addGlobalStores(): void {
    const writers = this.p.functions.filter((fn) => storesIntoGlobals(fn, this.p));
    for (let round = 0; round < GLOBAL_STORE_ROUNDS && writers.length; round++) {
      let changed = false;
      for (const fn of writers) {
        this.p.checkTime();
        const entry = this.r.isEntry(fn);
        const run: Run = { fn, summaryFn: null, mode: "final", report: false, returns: CLEAN, isEntry: entry, summarySinks: [], depth: 0 };
        const exit = new Map<string, Taint>();
        this.solve(fn.cfg, this.paramState(fn, "final", entry), run, exit);
        const local = localNames(fn);
        for (const [name, t] of exit) {
          if (local.has(name) || name.includes(".") || name.includes("[")) continue;
          const before = this.e.globals.get(name) ?? CLEAN;
          const after = union(before, t);
          if (after.length === before.length) continue;
          // Its fields as the module left them may have been overwritten: reads get the whole.
          dropFields(this.e.globals, name);
          this.e.globals.set(name, after);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  private solveModule(state: State, run: Run): void {
    // Globals seen by functions: the module's state at its exit.
    const exit = new Map<string, Taint>();
    this.solve(this.p.cfgs.module, state, run, exit);
    this.e.globals = exit;
  }
}

/** State key: what this path has raised so far (an exception edge takes it to the handler). */

// Rounds of function runs feeding each other's stores into module-level containers: a store seen
// only after this many rounds (a chain of helpers each reading the last one's) is not followed.
const GLOBAL_STORE_ROUNDS = 3;

const BINDERS = new Set(["assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression", "as_pattern_target", "delete_statement"]);

/**
 * Names the function (not its nested scopes) binds anywhere in its body; with `bindingsOnly`, not
 * the containers it stores into (`X[k] = v`).
 */
function reboundNames(fn: SyntaxNode, bindingsOnly = false): Set<string> {
  const out = new Set<string>();
  const body = fn.childForFieldName("body");
  const stack = body ? [body] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
    if (BINDERS.has(n.type)) {
      const target = n.type === "named_expression" ? n.childForFieldName("name") : n.type === "as_pattern_target" ? n : n.type === "delete_statement" ? n.namedChildren[0] ?? null : n.childForFieldName("left");
      for (const name of bindingsOnly ? boundNames(target) : targetNames(target)) out.add(name);
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}

/** The names a target binds, not the containers it stores into. */
function boundNames(target: SyntaxNode | null): string[] {
  const out: string[] = [];
  const stack = target ? [target] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "identifier") out.push(n.text);
    else if (n.type !== "subscript" && n.type !== "attribute") stack.push(...n.namedChildren);
  }
  return out;
}

/** A taint's facts, in an order-free text: summaries compare equal when these do. */
function factsKey(t: Taint): string {
  return t.map((f) => `${f.src}/${f.cleared}`).sort().join(",");
}

function summaryKey(ret: Taint, sinks: SummarySink[]): string {
  const r = factsKey(ret);
  const s = sinks.map((x) => `${x.param}/${x.marks}/${x.cleared}/${x.cls}/${x.sink.startIndex}`).sort().join(",");
  return `${r}|${s}`;
}

function dedupeSinks(sinks: SummarySink[]): SummarySink[] {
  const seen = new Set<string>();
  return sinks.filter((s) => {
    const k = `${s.param}/${s.marks}/${s.cleared}/${s.cls}/${s.sink.startIndex}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Names that are the function's own: parameters and what it binds, less what it declares global. */
function localNames(fn: FunctionInfo): Set<string> {
  // `X[k] = v` and `X.a = v` store into X; they do not make X local.
  const out = new Set([...fn.params, ...reboundNames(fn.node, true)]);
  for (const g of declaredGlobals(fn.node)) out.delete(g);
  return out;
}

function declaredGlobals(fn: SyntaxNode): string[] {
  return fn.descendantsOfType("global_statement").flatMap((g) => g.namedChildren.map((c) => c.text));
}

/**
 * Cheap syntactic filter for addGlobalStores: whether the function declares a global, or stores
 * into a container (by subscript, attribute or a storing method) through a name that is not its
 * own or that shares a container with one that is not (container-aliases.ts).
 */
function storesIntoGlobals(fn: FunctionInfo, p: Program): boolean {
  if (declaredGlobals(fn.node).length > 0) return true;
  const local = localNames(fn);
  const reachesGlobal = (base: SyntaxNode | null): boolean => {
    let b = base ? unparen(base) : null;
    while (b && (b.type === "subscript" || b.type === "attribute")) b = unparen(b.namedChildren[0]!);
    if (b?.type !== "identifier") return false;
    return !local.has(b.text) || p.aliases.sharing(b, b.text).some((n) => !local.has(n));
  };
  for (const n of fn.node.descendantsOfType(["assignment", "augmented_assignment", "call"])) {
    if (n.type === "call") {
      const f = n.childForFieldName("function");
      if (f?.type === "attribute" && MUTATORS.has(f.childForFieldName("attribute")?.text ?? "") && reachesGlobal(f.childForFieldName("object"))) return true;
      continue;
    }
    const left = n.childForFieldName("left");
    const l = left ? unparen(left) : null;
    if (l && (l.type === "subscript" || l.type === "attribute") && reachesGlobal(l)) return true;
  }
  return false;
}

const nonlocalCache = new WeakMap<FunctionInfo, string[]>();

/** Names a function's own `nonlocal` statements name (not those of functions nested in it). */
function nonlocalNames(fn: FunctionInfo): string[] {
  let out = nonlocalCache.get(fn);
  if (!out) {
    out = [];
    for (const s of fn.node.descendantsOfType("nonlocal_statement")) {
      let owner = s.parent;
      while (owner && owner.type !== "function_definition" && owner.type !== "lambda") owner = owner.parent;
      if (owner?.id === fn.node.id) for (const c of s.namedChildren) if (c.type === "identifier") out.push(c.text);
    }
    nonlocalCache.set(fn, out);
  }
  return out;
}

/** Methods Python calls without their name written at the call (see `run`). */
const IMPLICITLY_CALLED = new Set(["__init__", "__call__", "__post_init__", "__enter__"]);
