/**
 * The expression pass of the taint analysis (the checker, in pyright's terms): the taint of each
 * expression in a given state, the effect of assignments on the state, and the call rules
 * (sinks, sources, summaries of same-file functions, sanitizers, path composition, template
 * filling, default propagation). Guards are delegated to `Guards`, findings to `Reporter`, and
 * nested functions and lambdas back to the solver through `NestedAnalyzer`.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { targetNames } from "../python/ssa.js";
import { NO_ARGS, step, unparen, type FunctionInfo, type Run, type Summary } from "./context.js";
import { boundMethod, calleeFunction, isMemoryBuffer, methodByName, objectTaint } from "./callees.js";
import { SummaryCalls } from "./summary-calls.js";
import { indirectCalls } from "./indirect-calls.js";
import { requestObjectTaint } from "./request-objects.js";
import { CLEAN, clear, dropFields, fieldKey, unclear, union, unionAll, withoutMarked, withStep, type State, type Taint } from "./facts.js";
import { swallowsFailure, type Guards } from "./guards.js";
import { ALL_CLASSES_MASK, CLASS_BIT, ENCODED_BIT, HANDLE_BIT, classMask, type SinkModel } from "./models/index.js";
import type { Program } from "./program.js";
import type { Reporter } from "./report.js";
import { BUFFER_WRITES, FIXED_URL, compositeKey, responseTupleTaint, storedKey, tupleParts, HANDLE_METHODS, MUTATORS, READ_METHODS, READ_ONLY_BUILTINS, constantKey, contents, embedded, fill, leadingField, spliced } from "./value-rules.js";
import { clearQuoted, formatQuoted, fstringSlots, joinQuoted, keepQuoteMarks, percentQuoted, plainInterpolation, plusSlot } from "./quotes.js";

const MAX_EXPR_DEPTH = 400;
/** A call's arguments when none reach the callee's parameters (a dataclass's `__post_init__`). */

/** Analyzes a nested function or lambda with the state captured where it is defined. */
export interface NestedAnalyzer {
  analyzeNested(node: SyntaxNode, captured: State, outer: Run): void;
}

export class Evaluator {
  /** Globals seen by functions: the module's state at its exit. */
  globals: State = new Map();
  private readonly calls: SummaryCalls;

  constructor(
    private readonly p: Program,
    private readonly r: Reporter,
    private readonly g: Guards,
    private readonly summaries: Map<FunctionInfo, Summary>,
    private readonly nested: NestedAnalyzer,
  ) {
    this.calls = new SummaryCalls(p, r, summaries, (state, key) => this.read(state, key));
  }

  /** A dict key that is a constant string (for field-sensitive reads and writes). */
  constantKeyOf(n: SyntaxNode | null): string | null {
    return constantKey(n ?? undefined);
  }

  // ---------------------------------------------------------------- state access

  read(state: State, key: string): Taint {
    const v = state.get(key);
    if (v) return v;
    if (!key.includes(".") && !key.includes("[")) return this.globals.get(key) ?? CLEAN;
    return CLEAN;
  }

  assign(target: SyntaxNode, t: Taint, state: State, run: Run, at: SyntaxNode, depth = 0): void {
    if (depth > 64) {
      // Absurdly nested targets: bind every name inside (iteratively), field-insensitively.
      for (const name of targetNames(target)) state.set(name, t);
      return;
    }
    const tgt = unparen(target);
    switch (tgt.type) {
      case "identifier":
        dropFields(state, tgt.text);
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
        const idxs = tgt.childrenForFieldName("subscript");
        const keyTaint = unionAll(idxs.map((idx) => this.evalExpr(idx, state, run, 0)));
        if (run.report) this.r.checkStoreSink(container, t, keyTaint, tgt, run);
        const key = idxs.length === 1 ? constantKey(idxs[0]) : null;
        if (container.type === "identifier") {
          // `d["k"] = v`: a strong update of that field; any other key may overwrite any field.
          if (key !== null) state.set(fieldKey(container.text, key), withStep(t, step(at, `stored into ${tgt.text}`)));
          else dropFields(state, container.text);
        }
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
  weakUpdate(container: SyntaxNode, t: Taint, state: State, at: SyntaxNode): void {
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
    if (base.type !== "identifier") return;
    const stored = withStep(t, step(at, `stored into ${base.text}`));
    state.set(base.text, union(this.read(state, base.text), stored));
    // The same container under another name (`alias = rows`, `for row in table`) holds it too.
    for (const other of this.p.aliases.sharing(at, base.text)) state.set(other, union(this.read(state, other), stored));
  }

  // ---------------------------------------------------------------- expressions

  /** The value `with ctx as v` binds to v (summary-calls.ts, `entered`). */
  enteredValue(ctx: SyntaxNode, state: State, run: Run): Taint {
    return this.calls.entered(ctx, this.evalExpr(ctx, state, run, 0), run, state);
  }

  evalExpr(node: SyntaxNode, state: State, run: Run, depth: number): Taint {
    // What a quote check proved holds of the checked text, not of what is computed from it.
    return keepQuoteMarks(node, this.evalNode(node, state, run, depth), (x) => this.p.literalString(x, run.fn), (c) => this.p.args(c));
  }

  private evalNode(node: SyntaxNode, state: State, run: Run, depth: number): Taint {
    if (depth > MAX_EXPR_DEPTH) {
      this.p.truncated = true;
      return this.identifiersTaint(node, state);
    }
    const d = depth + 1;
    switch (node.type) {
      case "identifier": {
        const t = this.read(state, node.text);
        if (t.length) return t;
        const q = this.p.qname(node);
        if (q && q !== node.text) {
          const model = this.r.sourceObject(q, null);
          if (model) return this.r.fresh(model, node);
        }
        return CLEAN;
      }
      case "string": {
        // An interpolated value after any text or value is inside the string's structure; one
        // that only has text after it (`f"{path}.bak"`) is still the whole value.
        let t: Taint = CLEAN;
        let urlFixed = false;
        let before = false;
        const slots = fstringSlots(node);
        let slot = 0;
        for (const c of node.namedChildren) {
          if (c.type === "string_content") {
            if (!t.length && FIXED_URL.test(c.text)) urlFixed = true;
            if (c.text.length) before = true;
          }
          if (c.type === "interpolation") {
            const e = c.childForFieldName("expression");
            if (e) {
              let v = this.evalExpr(e, state, run, d);
              if (plainInterpolation(c)) v = clearQuoted(v, slots[slot], t.length > 0);
              t = union(t, fill(v, !before));
            }
            slot++;
            before = true;
          }
        }
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
        const value = unparen(node.childForFieldName("value")!);
        const idxs = node.childrenForFieldName("subscript");
        for (const idx of idxs) this.evalExpr(idx, state, run, d);
        // An element of a constant table is one of its constants, whatever the key (an allow-list).
        if (this.p.isConstantContainer(value)) return CLEAN;
        // A list whose shape is known here holds a constant at this index.
        if (value.type === "identifier" && this.p.constants.constantListElement(node, run.fn)) return CLEAN;
        const key = idxs.length === 1 ? constantKey(idxs[0]) : null;
        if (key !== null && value.type === "identifier") {
          const field = state.get(fieldKey(value.text, key));
          if (field) return field;
        }
        return this.evalExpr(value, state, run, d);
      }
      case "call":
        return this.evalCall(node, state, run, d);
      case "binary_operator": {
        const left = node.childForFieldName("left")!;
        const right = node.childForFieldName("right")!;
        const op = node.childForFieldName("operator")?.text ?? "";
        const lt = this.evalExpr(left, state, run, d);
        const lit = lt.length === 0 ? this.p.literalString(left, run.fn) : null;
        const r = unparen(right);
        const printf = op === "%" && lit !== null;
        const parts = printf && r.type === "tuple" ? r.namedChildren.filter((c) => c.type !== "comment").map((c) => this.evalExpr(c, state, run, d)) : null;
        if (parts && printf) parts.splice(0, parts.length, ...percentQuoted(lit, parts));
        let rt = parts ? unionAll(parts) : this.evalExpr(right, state, run, d);
        if (printf && !parts) rt = percentQuoted(lit, [rt])[0]!;
        if (op === "+") rt = clearQuoted(rt, plusSlot(node, (x) => this.p.literalString(x, run.fn)), lt.length > 0);
        if (printf) {
          // A printf-style template: its values are fill values, as in an f-string or .format.
          const lead = leadingField(lit, "percent") === 0;
          rt = parts ? unionAll(parts.map((t, i) => fill(t, lead && i === 0))) : fill(rt, lead);
        } else if ((op === "+" || op === "/" || op === "%") && lit !== "") {
          // The right operand of `+`, `/` and `%` goes after a prefix, under a base or into a
          // template: composed, unless the left side is empty text.
          rt = embedded(rt);
        }
        if ((op === "+" || op === "%") && lit !== null && FIXED_URL.test(lit)) rt = clear(rt, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
        return union(lt, rt);
      }
      case "conditional_expression": {
        const [a, cond, b] = node.namedChildren;
        if (!a || !cond || !b) return this.unionChildren(node, state, run, d);
        // A constant condition picks one value; the other is never computed.
        const fixed = this.p.constants.truth(cond, run.fn);
        if (fixed !== null) return this.evalExpr(fixed ? a : b, state, run, d);
        this.evalExpr(cond, state, run, d);
        const st = this.g.refine(new Map(state), cond, true, run.fn);
        const sf = this.g.refine(new Map(state), cond, false, run.fn);
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
        if (run.report) this.nested.analyzeNested(node, state, run);
        return CLEAN;
      case "yield": {
        // A generator's caller iterates what it yields: yields are what its call gives back.
        const t = this.unionChildren(node, state, run, d);
        run.returns = union(run.returns, withStep(t, step(node, "yielded")));
        run.returnElements = null;
        return CLEAN;
      }
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
      if ((++visited & 4095) === 0) this.p.checkTime();
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
    // A file object's attributes (`f.name`, `f.mode`) are not what the file holds.
    const objTaint = withoutMarked(this.evalExpr(obj, state, run, d), HANDLE_BIT);
    // A request parameter's data is the client's wherever it is read: also in a helper that the
    // view hands its request to (the helper's summary then carries the source to the caller).
    if (this.p.requests.isRequestData(node)) {
      const request = this.r.requestPartsSource();
      if (request) return union(objTaint, this.r.fresh(request, node));
    }
    if (objTaint.length) return objTaint;
    const q = this.p.qname(node);
    const model = this.r.sourceObject(q, node.text);
    if (model) return this.r.fresh(model, node);
    return CLEAN;
  }

  private evalComprehension(node: SyntaxNode, outer: State, run: Run, d: number): Taint {
    const state = new Map(outer);
    const body = node.childForFieldName("body");
    for (const c of node.namedChildren) {
      if (c.type === "for_in_clause") {
        const right = c.childForFieldName("right");
        const t = right ? contents(this.evalExpr(right, state, run, d)) : CLEAN;
        for (const left of c.childrenForFieldName("left")) this.assign(left, t, state, run, c);
      } else if (c.type === "if_clause") {
        const cond = c.namedChildren[0];
        if (cond) {
          this.evalExpr(cond, state, run, d);
          this.g.refine(state, cond, true, run.fn);
        }
      }
    }
    if (!body) return CLEAN;
    return this.evalExpr(body, state, run, d);
  }

  private evalCall(node: SyntaxNode, state: State, run: Run, d: number): Taint {
    const fnNode = node.childForFieldName("function");
    if (!fnNode) return CLEAN;
    const args = this.p.args(node);
    const argNodes = node.childForFieldName("arguments")?.namedChildren ?? [];
    const fnU = unparen(fnNode);
    // `getattr(cur, "execute")(q)` is `cur.execute(q)`: a method by a constant name.
    // `run = cur.execute` then `run(q)`: a bound method called through a name.
    const looked = fnU.type === "call" ? methodByName(this.p, fnU, run.fn) : fnU.type === "identifier" ? boundMethod(this.p, fnU, run.fn) : null;
    const method = fnU.type === "attribute" ? fnU.childForFieldName("attribute")!.text : (looked?.method ?? null);
    const receiver = fnU.type === "attribute" ? unparen(fnU.childForFieldName("object")!) : (looked?.receiver ?? null);
    const q = this.p.qname(fnU);

    // A name called is read too: `get = request.args.get` then `get("q")` calls a bound method of
    // request data, which carries the data as its receiver would.
    const rawRecv = receiver ? this.evalExpr(receiver, state, run, d) : fnU.type === "identifier" ? this.read(state, fnU.text) : this.evalExpr(fnU, state, run, d);
    // Methods of a file object: reads give its contents; `fileno`, `tell`, `close`, `write`...
    // give nothing of what it holds.
    const recvTaint = method && READ_METHODS.has(method) ? contents(rawRecv) : method && HANDLE_METHODS.has(method) ? withoutMarked(rawRecv, HANDLE_BIT) : rawRecv;
    const joinSep = method === "join" && args.positional.length === 1 ? this.p.literalString(receiver ?? undefined, run.fn) : null;
    const literal = (x: SyntaxNode | undefined): string | null => this.p.literalString(x, run.fn);
    // `make_response((body, status, headers))`: only the tuple's first item is the page.
    const responseParts = q === "flask.make_response" && args.positional[0] ? tupleParts(args.positional[0]) : null;
    const posTaints = args.positional.map((a, i) =>
      i === 0 && responseParts ? responseTupleTaint(responseParts.map((e) => this.evalExpr(e, state, run, d))) : ((joinSep !== null ? joinQuoted(joinSep, a, literal, (e) => this.evalExpr(e, state, run, d)) : null) ?? this.evalExpr(a, state, run, d)),
    );
    const kwTaints = new Map<string, Taint>();
    for (const [k, v] of args.keywords) kwTaints.set(k, this.evalExpr(v, state, run, d));
    let splatTaint: Taint = CLEAN;
    for (const a of argNodes) if (a.type === "list_splat" || a.type === "dictionary_splat") splatTaint = union(splatTaint, this.evalExpr(a, state, run, d));
    // A dict handed to other code may get any key written there: its constant-key fields no
    // longer hold, and reads fall back to the whole dict's taint.
    const readOnly = fnU.type === "identifier" && READ_ONLY_BUILTINS.has(fnU.text) && !this.p.byName.has(fnU.text);
    for (const a of readOnly ? [] : argNodes) {
      const v = unparen(a.type === "keyword_argument" ? (a.childForFieldName("value") ?? a) : a);
      if (v.type === "identifier") dropFields(state, v.text);
    }
    const argTaint = (pos: number | undefined, kw: string | undefined): Taint | undefined => {
      if (kw !== undefined && kwTaints.has(kw)) return kwTaints.get(kw);
      if (pos !== undefined && pos < posTaints.length) return posTaints[pos];
      if (splatTaint.length && pos !== undefined) return splatTaint;
      return undefined;
    };
    const allArgs = unionAll([...posTaints, ...kwTaints.values(), splatTaint]);
    // `f(x)` where `f` holds a parameter of the function being summarized: its callers learn
    // which function they handed in (`apply(os.system, cmd)`).
    if (fnU.type === "identifier") this.calls.noteParamCalled(run, rawRecv, node, args, posTaints, kwTaints);

    // Sinks.
    if (run.report) {
      const sinks: SinkModel[] = [];
      // A module-level function of this file named like a builtin sink (py_compile's own
      // `compile(file)`) shadows the builtin: its summary decides, not the builtin's model.
      const shadowing = fnU.type === "identifier" ? calleeFunction(this.p, fnU, receiver) : null;
      if (q && !(shadowing && !shadowing.fn.isMethod)) sinks.push(...(this.p.m.sinkCalls.byCallee.get(q) ?? []));
      if (method && !(q && this.p.m.sinkCalls.byCallee.has(q))) {
        const recvText = (receiver?.text ?? "").toLowerCase();
        for (const s of this.p.m.sinkCalls.byMethod.get(method) ?? []) {
          if (s.receiverContains && !s.receiverContains.some((w) => recvText.includes(w.toLowerCase()))) continue;
          // A method name that is also a module function we know (re.search) is not a receiver method.
          if (q && receiver && this.p.qname(receiver) !== receiver.text) continue;
          sinks.push(s);
        }
      }
      for (const s of sinks) this.r.checkCallSink(s, node, args, argTaint, recvTaint, q ?? method ?? fnU.text, run);
    }

    // A function value called without being named here (a table element, a partial, map's).
    let indirect: Taint = CLEAN;
    for (const ind of indirectCalls(node, q, this.p)) {
      const pos = ind.args.positional.map((a) => this.evalExpr(a, state, run, d));
      const kw = new Map([...ind.args.keywords].map(([k, v]) => [k, this.evalExpr(v, state, run, d)] as const));
      const taintOf = (i: number | undefined, k: string | undefined): Taint | undefined => (k !== undefined && kw.has(k) ? kw.get(k) : i !== undefined ? pos[i] : undefined);
      if (run.report) for (const s of this.p.m.sinkCalls.byCallee.get(ind.callee) ?? []) this.r.checkCallSink(s, node, ind.args, taintOf, CLEAN, ind.callee, run);
      const own = ind.fn ?? (!ind.callee.includes(".") ? this.p.byName.get(ind.callee) : undefined);
      if (own) indirect = union(indirect, this.calls.apply(own, own.isMethod ? 1 : 0, node, ind.args, pos, kw, CLEAN, run, CLEAN, state));
    }

    // `X(cmd)` runs X.__init__ with the arguments: its sinks count here. The object made keeps
    // the default taint below (its fields hold the arguments).
    const ctor = fnU.type === "identifier" ? this.p.constructorOf(fnU) : null;
    if (ctor?.argsToSelf) this.calls.apply(ctor.fn, 1, node, NO_ARGS, [], new Map(), CLEAN, run, allArgs, state);
    else if (ctor) this.calls.apply(ctor.fn, 1, node, args, posTaints, kwTaints, splatTaint, run, CLEAN, state);

    // Same-file functions: summaries.
    const callee = calleeFunction(this.p, fnU, receiver, method);
    if (callee) {
      const self = callee.offset === 1 && receiver ? objectTaint(receiver, rawRecv, state) : CLEAN;
      return union(indirect, this.calls.apply(callee.fn, callee.offset, node, args, posTaints, kwTaints, splatTaint, run, self, state));
    }

    // Sources.
    if (q) {
      const src = this.p.m.sourceCalls.byCallee.get(q);
      if (src) return this.r.fresh(src[0]!, node);
    }
    if (method) {
      const src = this.p.m.sourceCalls.byMethod.get(method);
      if (src) return union(this.r.fresh(src[0]!, node), recvTaint);
    }

    // Reading a table by key: a constant table gives one of its constants (or the default); a
    // dict whose field was written with that constant key gives that field.
    if (method === "get" && receiver) {
      const fallback = argTaint(1, "default") ?? CLEAN;
      if (this.p.isConstantContainer(receiver)) return fallback;
      // `conf.get("section", "key")` after a `set` with the same constant keys.
      const composite = args.positional.length >= 2 && receiver.type === "identifier" ? compositeKey(args.positional) : null;
      const stored = composite !== null ? state.get(fieldKey(receiver.text, composite)) : undefined;
      if (stored) return stored;
      const key = constantKey(args.positional[0]);
      const field = key !== null && receiver.type === "identifier" ? state.get(fieldKey(receiver.text, key)) : undefined;
      if (field) return union(field, fallback);
    }

    // Composing a path under a base folder: the appended parts can climb out of it.
    if (q === "os.path.join" || q === "posixpath.join" || q === "ntpath.join" || method === "joinpath" || ((q === "pathlib.Path" || q === "pathlib.PurePath") && posTaints.length > 1)) {
      const base = method === "joinpath" ? recvTaint : (posTaints[0] ?? CLEAN);
      const rest = unionAll(method === "joinpath" ? posTaints : posTaints.slice(1));
      return union(base, embedded(rest));
    }

    // Regex substitution with constant pattern and replacement: strips or replaces characters.
    // `re.compile(P).sub(R, x)` (directly or through a variable) is the same substitution.
    const compiledSub = (method === "sub" || method === "subn") && receiver ? this.p.compiledPattern(receiver, run.fn) : undefined;
    if (q === "re.sub" || q === "re.subn" || q === "regex.sub" || compiledSub !== undefined) {
      const pat = compiledSub !== undefined ? compiledSub : this.p.literalString(args.positional[0] ?? args.keywords.get("pattern"), run.fn);
      const repl = this.p.literalString(compiledSub !== undefined ? (args.positional[0] ?? args.keywords.get("repl")) : (args.positional[1] ?? args.keywords.get("repl")), run.fn);
      const subject = (compiledSub !== undefined ? argTaint(1, "string") : argTaint(2, "string")) ?? CLEAN;
      if (pat !== null && repl !== null) {
        const allowList = /^\[\^/.test(pat);
        const mask = allowList ? classMask(["injection", "xss", "sql-injection", "command-injection", "ldap-injection", "xpath-injection", "code-injection", "path-traversal"]) : classMask(["injection"]);
        return withStep(clear(subject, mask), step(node, `sanitized by ${q}`));
      }
      return union(union(subject, allArgs), compiledSub !== undefined ? recvTaint : CLEAN);
    }
    if (method === "replace" && args.positional.length >= 2) {
      const from = this.p.literalString(args.positional[0], run.fn);
      const to = this.p.literalString(args.positional[1], run.fn);
      if (from !== null && to !== null && /[\r\n]/.test(from)) return clear(recvTaint, classMask(["injection"]));
      // Hand-written HTML escaping: `s.replace("<", "&lt;")`.
      if (from !== null && to !== null && /[<>&"']/.test(from) && /^&[#a-z0-9]+;$/i.test(to)) return clear(recvTaint, classMask(["xss"]));
      // Filling a template: `template.replace(placeholder, value)` splices the value into it.
      if (to === null) return union(recvTaint, unionAll([...posTaints.slice(0, 1), embedded(spliced(posTaints[1] ?? CLEAN))]));
    }
    // `template.format(...)` and `string.Template(t).substitute(...)` splice their arguments.
    if ((method === "format" || method === "substitute" || method === "safe_substitute") && fnU.type === "attribute" && allArgs.length) {
      const lit = recvTaint.length === 0 ? this.p.literalString(receiver ?? undefined, run.fn) : null;
      const lead = method === "format" && lit !== null ? leadingField(lit, "format") : null;
      const quoted = method === "format" && lit !== null ? formatQuoted(lit, posTaints, kwTaints) : { pos: posTaints, kw: kwTaints };
      const fills = [...quoted.pos.map((t, i) => fill(t, lead === i)), ...[...quoted.kw].map(([k, t]) => fill(t, lead === k)), fill(splatTaint, false)];
      const result = union(recvTaint, unionAll(fills));
      // `"<base>/{}".format(x)` with a fixed scheme and host keeps the host out of the user's hands.
      if (method === "format" && lit !== null && FIXED_URL.test(lit)) return clear(result, CLASS_BIT["open-redirect"] | CLASS_BIT.ssrf);
      return result;
    }
    // request.args.get("n", type=int): the framework converts the value.
    if (method === "get" && args.keywords.has("type") && /^(int|float|bool)$/.test(args.keywords.get("type")!.text)) return CLEAN;

    // Decoding and canonicalization: checks and escaping done before it no longer hold (CWE-179/180).
    const moduleFunction = !!(q && receiver && this.p.qname(receiver) !== receiver.text);
    const dec = (q ? this.p.m.decoderCalls.byCallee.get(q) : undefined) ?? (method && !moduleFunction ? this.p.m.decoderCalls.byMethod.get(method) : undefined);
    if (dec) {
      const input = method && !this.p.m.decoderCalls.byCallee.has(q ?? "") ? union(recvTaint, allArgs) : allArgs;
      return withStep(unclear(contents(input), ALL_CLASSES_MASK | ENCODED_BIT), step(node, `decoded by ${q ?? method}`));
    }

    // Sanitizers.
    const san = (q ? this.p.m.sanitizerCalls.byCallee.get(q) : undefined) ?? (method && !(q && receiver && this.p.qname(receiver) !== receiver.text) ? this.p.m.sanitizerCalls.byMethod.get(method) : undefined);
    if (san) {
      const mask = san.reduce((acc, s) => acc | classMask(s.clears), 0);
      const input = contents(method && !this.p.m.sanitizerCalls.byCallee.has(q ?? "") ? union(recvTaint, allArgs) : allArgs);
      const reversible = san.some((s) => s.reversible);
      if ((mask & ALL_CLASSES_MASK) === ALL_CLASSES_MASK && !reversible) return CLEAN;
      return withStep(clear(input, reversible ? mask | ENCODED_BIT : mask), step(node, `${reversible ? "encoded" : "sanitized"} by ${q ?? method}`));
    }

    const built = requestObjectTaint(q, posTaints, kwTaints, splatTaint);
    if (built) return built;

    // `setattr(o, "cmd", v)` is `o.cmd = v`; `getattr(o, "cmd")` reads it back.
    if ((q === "setattr" || q === "getattr") && !calleeFunction(this.p, fnU, null) && args.keywords.size === 0) {
      const obj = args.positional[0] ? unparen(args.positional[0]) : null;
      const attr = args.positional[1] ? this.p.literalString(args.positional[1], run.fn) : null;
      if (obj?.type === "identifier" && attr !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(attr)) {
        const key = `${obj.text}.${attr}`;
        // No field known: the object's own taint, as evalAttribute reads it; a source object's
        // attribute (`getattr(request, "args")`) is that source, as `request.args` is.
        if (q === "getattr") {
          const known = union(state.get(key) ?? CLEAN, withoutMarked(this.read(state, obj.text), HANDLE_BIT));
          const model = known.length ? null : this.r.sourceObject(this.p.qname(node), `${obj.text}.${attr}`);
          return model ? this.r.fresh(model, node) : known;
        }
        if (args.positional.length === 3) {
          state.set(key, withStep(posTaints[2]!, step(node, `assigned to ${obj.text}.${attr}`)));
          return CLEAN;
        }
      }
    }

    // Mutating methods add their arguments to the receiver (and may overwrite any of its fields).
    if (method && receiver && (MUTATORS.has(method) || (BUFFER_WRITES.has(method) && isMemoryBuffer(this.p, receiver, run.fn)))) {
      // `conf.set("section", "key", v)` / `cache.set("key", v)`: a field under constant keys, read
      // back by a `get` with the same keys; the other fields stay what they were.
      const stored = method === "set" && receiver.type === "identifier" ? storedKey(args.positional) : null;
      if (receiver.type === "identifier" && stored === null) dropFields(state, receiver.text);
      if (allArgs.length) this.weakUpdate(receiver, allArgs, state, node);
      if (stored !== null) state.set(fieldKey(receiver.text, stored), withStep(posTaints[posTaints.length - 1] ?? CLEAN, step(node, `stored into ${receiver.text}`)));
    }

    // Default propagation: result carries the receiver's and the arguments' taint (a file object
    // given to a library stays marked: `closing(f)` is still the handle, while `json.load(f)`'s
    // items are still untrusted text for every class but paths).
    return unionAll([recvTaint, allArgs, indirect]);
  }

  /**
   * Variables a statement's calls of same-file helpers validate: a helper whose summary says it
   * returns normally only when its argument passes a check (it raises or aborts otherwise)
   * validates the caller's variable for the code after the call, as an inline check would, unless
   * a `try` around the call swallows the failure.
   */
  helperChecks(stmt: SyntaxNode): Map<string, number> {
    const out = new Map<string, number>();
    const calls = stmt.descendantsOfType("call");
    for (const call of calls.length > 64 ? [] : calls) {
      const fnNode = call.childForFieldName("function");
      if (!fnNode) continue;
      const fnU = unparen(fnNode);
      const receiver = fnU.type === "attribute" ? fnU.childForFieldName("object") : null;
      const callee = calleeFunction(this.p, fnU, receiver);
      const validated = callee && this.summaries.get(callee.fn)?.validated;
      if (!callee || !validated?.some((m) => m !== 0)) continue;
      const args = this.p.args(call);
      validated.forEach((mask, index) => {
        if (!mask) return;
        const name = callee.fn.params[index];
        const arg = (name !== undefined ? args.keywords.get(name) : undefined) ?? args.positional[index - callee.offset];
        const a = arg ? unparen(arg) : null;
        if (a && (a.type === "identifier" || (a.type === "attribute" && a.childForFieldName("object")?.type === "identifier"))) out.set(a.text, (out.get(a.text) ?? 0) | mask);
      });
    }
    if (out.size && swallowsFailure(stmt)) out.clear();
    return out;
  }

  /** The elements of the tuple a same-file call returns, as last evaluated (see Summary.retElements). */
  returnedElements(call: SyntaxNode): Taint[] | null {
    return this.calls.returnedElements(call);
  }

}
