/**
 * Calls of the file's own functions through their summaries: what the arguments, the captured
 * variables (closures) and the functions handed in as parameters (`apply(os.system, cmd)`) do
 * at one call site. Split from the evaluator, which asks it at every such call.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { isWithin, type CallArgs } from "../python/index.js";
import { NO_ARGS, RAISED, step, unparen, type CalledParam, type FunctionInfo, type Run, type Summary } from "./context.js";
import { CLEAN, clear, union, unionAll, withStep, type State, type Taint } from "./facts.js";
import type { Program } from "./program.js";
import { chosenVariant, quoteVariants } from "./quotes.js";
import type { Reporter } from "./report.js";

const restCache = new WeakMap<FunctionInfo, { args: number; kwargs: number }>();

/** The indices in `fn.params` of its `*args` and `**kw` parameters (-1 where it has none). */
function restParams(fn: FunctionInfo): { args: number; kwargs: number } {
  let known = restCache.get(fn);
  if (!known) {
    known = { args: -1, kwargs: -1 };
    for (const p of fn.node.childForFieldName("parameters")?.namedChildren ?? []) {
      const pattern = p.type === "typed_parameter" ? p.namedChildren.find((c) => c.type.endsWith("splat_pattern")) : p;
      const name = pattern?.type.endsWith("splat_pattern") ? pattern.namedChildren[0]?.text : undefined;
      if (name === undefined) continue;
      if (pattern!.type === "list_splat_pattern") known.args = fn.params.indexOf(name);
      else known.kwargs = fn.params.indexOf(name);
    }
    restCache.set(fn, known);
  }
  return known;
}

export class SummaryCalls {
  /** Per call of a same-file function returning a tuple: its elements' taint, from the last evaluation. */
  private readonly elements = new Map<number, Taint[]>();

  constructor(
    private readonly p: Program,
    private readonly r: Reporter,
    private readonly summaries: Map<FunctionInfo, Summary>,
    private readonly read: (state: State, key: string) => Taint,
  ) {}

  /**
   * `with ctx as v` binds what `ctx.__enter__()` returns: for an object of a class of the file,
   * that method's result joined with the object's own taint (`return self` is the common case).
   */
  entered(ctx: SyntaxNode, ctxTaint: Taint, run: Run, state: State): Taint {
    const m = this.p.methodCalled(ctx, "__enter__");
    return m ? union(ctxTaint, this.apply(m.fn, m.offset, ctx, NO_ARGS, [], new Map(), CLEAN, run, ctxTaint, state)) : ctxTaint;
  }

  apply(
    fn: FunctionInfo,
    offset: number,
    call: SyntaxNode,
    args: CallArgs,
    posTaints: Taint[],
    kwTaints: Map<string, Taint>,
    splat: Taint,
    run: Run,
    selfTaint: Taint = CLEAN,
    state?: State,
  ): Taint {
    const summary = this.summaries.get(fn);
    // The variables `fn` captures hold, at this call, what they hold here: where the function
    // that defines `fn` is running (elsewhere a name may be another variable).
    const definer = this.p.enclosingFunction(fn.node);
    const captures = state !== undefined && definer !== null && isWithin(call, definer.node);
    const star = restParams(fn);
    const paramTaint = (index: number): Taint => {
      const name = fn.params[index];
      // `**kw` collects the keywords no other parameter names; `*args` the positions from its own.
      if (index === star.kwargs) return unionAll([splat, ...[...kwTaints].filter(([k]) => !fn.params.includes(k)).map(([, t]) => t)]);
      if (name !== undefined && kwTaints.has(name)) return kwTaints.get(name)!;
      // A method called on an object: its `self` is that object, with what its fields hold.
      if (offset === 1 && index === 0) return selfTaint;
      const pos = index - offset;
      if (index === star.args) return unionAll([splat, ...posTaints.slice(Math.max(0, pos))]);
      if (pos >= 0 && pos < posTaints.length) return posTaints[pos]!;
      return splat;
    };
    const callStep = step(call, `through ${fn.name}()`);
    // Each argument fact goes through the one variant of the parameter that its quote marks choose.
    const variants = quoteVariants(fn);
    const viaVariant = (t: Taint, marks: number): Taint => (variants.length ? t.filter((g) => chosenVariant(g.cleared, variants) === marks) : t);
    if (!summary) return withStep(unionAll([...posTaints, ...kwTaints.values(), splat]), callStep);
    if (run.report) {
      for (const s of summary.sinks) {
        const t = viaVariant(paramTaint(s.param), s.marks);
        const facts = clear(t, s.cleared);
        const inner = [step(call, `passed to ${fn.name}() as ${fn.params[s.param] ?? "argument"}`), ...s.path];
        this.r.reportFacts(s.cls, s.sink, s.sinkName, facts, run, inner);
      }
    }
    const bind = (ret: Taint): Taint => {
      let out: Taint = CLEAN;
      for (const f of ret) {
        const src = this.r.sources[f.src]!;
        if (src.param && src.param.fn === fn.qualname) {
          const t = clear(viaVariant(paramTaint(src.param.index), src.param.marks ?? 0), f.cleared);
          out = union(out, t.map((g) => ({ src: g.src, cleared: g.cleared, path: [...g.path, callStep, ...f.path] })));
        } else if (src.closure && src.closure.fn === fn.qualname) {
          if (!captures) continue;
          const t = clear(this.read(state!, src.closure.name), f.cleared);
          out = union(out, t.map((g) => ({ src: g.src, cleared: g.cleared, path: [...g.path, callStep, ...f.path] })));
        } else if (!src.param && !src.closure) {
          out = union(out, [{ src: f.src, cleared: f.cleared, path: [...f.path, callStep] }]);
        }
      }
      return out;
    };
    // The function handed in as a parameter that `fn` calls: its sinks and summary at that call.
    for (const c of summary.calledParams) {
      const name = fn.params[c.param];
      const handed = name !== undefined && args.keywords.has(name) ? args.keywords.get(name)! : offset === 1 && c.param === 0 ? undefined : args.positional[c.param - offset];
      if (!handed) continue;
      const positional = c.positional.map(bind);
      const keywords = new Map([...c.keywords].map(([k, v]) => [k, bind(v)] as const));
      const inner = (pos: number | undefined, kw: string | undefined): Taint | undefined => (kw !== undefined && keywords.has(kw) ? keywords.get(kw) : pos !== undefined ? positional[pos] : undefined);
      // A name bound to the function (`run = os.system` then `apply(run, x)`) hands that function.
      const bound = unparen(handed).type === "identifier" ? this.p.bindingOf(unparen(handed)) : null;
      const q = (bound ? this.p.qname(bound) : null) ?? this.p.qname(handed);
      if (q !== null && run.report) for (const s of this.p.m.sinkCalls.byCallee.get(q) ?? []) this.r.checkCallSink(s, c.call, c.args, inner, CLEAN, q, run);
      const own = q !== null && !q.includes(".") ? this.p.byName.get(q) : undefined;
      if (own && own !== fn && run.depth < MAX_HANDED_DEPTH) this.apply(own, own.isMethod ? 1 : 0, c.call, c.args, positional, keywords, CLEAN, { ...run, depth: run.depth + 1 });
      // Handed on again (`def outer(f, x): apply(f, x)`): the summarized function's parameter.
      if (unparen(handed).type === "identifier" && state) this.noteParamCalled(run, this.read(state, unparen(handed).text), c.call, c.args, positional, keywords);
    }
    // `nonlocal c` then `c = v` in a nested function: a call where c is in scope rebinds it.
    if (captures) for (const [name, t] of summary.nonlocals) if (t.length) state!.set(name, union(this.read(state!, name), withStep(bind(t), step(call, `set by ${fn.name}()`))));
    // What it raises reaches this caller's handlers (`except ValueError as e` after `check(x)`).
    if (state && summary.raised.length) state.set(RAISED, union(state.get(RAISED) ?? CLEAN, withStep(bind(summary.raised), step(call, `raised by ${fn.name}()`))));
    if (summary.retElements) this.elements.set(call.id, summary.retElements.map(bind));
    else this.elements.delete(call.id);
    return bind(summary.ret);
  }

  /**
   * `f(x)` where `f` holds a parameter of the function being summarized (its taint `callee`
   * carries that parameter's source): its callers learn which function they handed in.
   */
  noteParamCalled(run: Run, callee: Taint, call: SyntaxNode, args: CallArgs, positional: Taint[], keywords: Map<string, Taint>): void {
    if (!run.calledParams || !run.summaryFn) return;
    for (const f of callee) {
      const src = this.r.sources[f.src]!;
      if (src.param && src.param.fn === run.summaryFn.qualname) recordCalledParam(run.calledParams, { param: src.param.index, call, args, positional, keywords });
    }
  }

  /** The elements of the tuple a same-file call returns, as last evaluated (see Summary.retElements). */
  returnedElements(call: SyntaxNode): Taint[] | null {
    return this.elements.get(call.id) ?? null;
  }
}

/** Functions handed in through parameters are followed this many calls deep. */
const MAX_HANDED_DEPTH = 4;

/** Keep one record per call and parameter, joining what the solver's passes saw there. */
function recordCalledParam(list: CalledParam[], c: CalledParam): void {
  const known = list.find((k) => k.call.id === c.call.id && k.param === c.param);
  if (!known) {
    list.push({ ...c, positional: [...c.positional], keywords: new Map(c.keywords) });
    return;
  }
  c.positional.forEach((t, i) => (known.positional[i] = union(known.positional[i] ?? CLEAN, t)));
  for (const [k, t] of c.keywords) known.keywords.set(k, union(known.keywords.get(k) ?? CLEAN, t));
}
