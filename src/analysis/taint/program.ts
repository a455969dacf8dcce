/**
 * The binder pass of the taint analysis: what one module defines and how its names resolve.
 *
 * It collects the functions (with their CFGs), the module's single assignments and the names
 * called anywhere, resolves callees to qualified names through the import table, and answers
 * "which definition reaches this use" from the SSA form of each function's graph
 * (src/analysis/python/ssa.ts): a check on `p` after `p = os.path.realpath(p)` sees the
 * normalizing definition even though `p` is assigned twice. The other passes only ask questions
 * of this object; it never evaluates taint.
 */
import { callArgs, LOOKUP_TYPES, lookupName, qualifiedName, stringValue, type ParsedModule } from "../python/index.js";
import type { Cfg, SyntaxNode } from "../python/cfg.js";
import { buildModuleCfgs, type ModuleCfgs } from "../python/cfg.js";
import { buildSsa, targetNames, type SsaDef, type SsaForm } from "../python/ssa.js";
import { FileClasses } from "./classes.js";
import { capturedNames } from "./closures.js";
import { ConstantTables } from "./constant-tables.js";
import { ContainerAliases } from "./container-aliases.js";
import { Constants } from "./constants.js";
import { expandLiteralSplats } from "./literal-splats.js";
import { TaintTimeout, unparen, type FunctionInfo, type TaintOptions } from "./context.js";
import { models, type IndexedModels } from "./models/index.js";
import { RequestParams } from "./request-params.js";

const ROUTE_DECORATOR = /\.(route|get|post|put|delete|patch|api_route|websocket)\s*\(/;
const DEFINITION_TYPES = ["class_definition", "function_definition", "assignment"];
const BUILTIN_NAMES = new Set(["open", "eval", "exec", "compile", "input", "int", "float", "str", "len", "bool", "type", "hash", "range", "abs", "round", "id", "ord", "isinstance", "issubclass", "callable", "complex", "file", "execfile", "raw_input", "__import__"]);

interface SsaIndex {
  form: SsaForm;
  /** `name#version` to its definition (phis are absent: a merge has no single right-hand side). */
  defs: Map<string, SsaDef>;
  /** Names with at least one definition in the graph. */
  defined: Set<string>;
}

/** Names bound to names bound to a function (`t = os.popen; run = t`) are followed this far. */
const MAX_ALIAS_CHAIN = 8;

export class Program {
  readonly m: IndexedModels = models();
  readonly cfgs: ModuleCfgs;
  readonly functions: FunctionInfo[] = [];
  readonly byName = new Map<string, FunctionInfo>();
  readonly byNode = new Map<number, FunctionInfo>();
  /** Module-level single assignments `NAME = <expr>` (constants, compiled patterns, parsers). */
  readonly moduleAssigns = new Map<string, SyntaxNode>();
  /** Names called anywhere in the file (`f(...)`, `x.f(...)`). */
  readonly calledNames = new Set<string>();
  /** Request objects recognised by behaviour (Django views' request parameters). */
  readonly requests: RequestParams;
  /** Names that may share a container with another (container-aliases.ts). */
  readonly aliases: ContainerAliases;
  /** Conditions whose value is fixed (constants.ts). */
  readonly constants = new Constants(this);
  private readonly qnameCache = new Map<number, string | null>();
  private readonly argsCache = new Map<number, ReturnType<typeof callArgs>>();
  private readonly ssaCache = new Map<Cfg, SsaIndex>();
  private defined: Set<string> | null = null;
  private readonly tables: ConstantTables;
  private constantTables: Set<string> | null = null;
  private readonly classTable: FileClasses;
  private valueNames: Set<string> | null = null;
  private readonly closureCache = new Map<FunctionInfo, readonly string[]>();
  truncated: boolean;

  constructor(
    readonly mod: ParsedModule,
    readonly opts: TaintOptions = {},
  ) {
    this.cfgs = buildModuleCfgs(mod.root);
    this.requests = new RequestParams(mod.root);
    this.tables = new ConstantTables(mod.root);
    this.aliases = new ContainerAliases(mod.root);
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
        assigns: new Map(),
      };
      this.collectAssignments(node, info.assigns, false);
      this.byNode.set(node.id, info);
      this.functions.push(info);
      if (f.cfg.name !== "<lambda>" && !this.byName.has(info.name)) this.byName.set(info.name, info);
    }
    // `run = lambda c: ...` then `run(x)` calls the lambda.
    for (const info of this.functions) {
      const a = info.node.parent;
      const left = a?.type === "assignment" && info.node.field === "right" ? a.childForFieldName("left") : null;
      if (info.name === "<lambda>" && left?.type === "identifier" && !this.byName.has(left.text)) this.byName.set(left.text, info);
    }
    this.collectAssignments(mod.root, this.moduleAssigns, true);
    this.classTable = new FileClasses(mod.root, this);
    const calls = mod.root.descendantsOfType("call");
    for (let i = 0; i < calls.length; i++) {
      if ((i & 4095) === 4095) this.checkTime();
      const fn = calls[i]!.childForFieldName("function");
      if (fn?.type === "identifier") this.calledNames.add(fn.text);
      else if (fn?.type === "attribute") this.calledNames.add(fn.childForFieldName("attribute")?.text ?? "");
      else if (fn?.type === "call" && fn.childForFieldName("function")?.text === "getattr") {
        // `getattr(self, "run")(x)` calls a method named by a string written there.
        const name = fn.childForFieldName("arguments")?.namedChildren[1];
        const text = name ? stringValue(name, mod.source) : null;
        if (text) this.calledNames.add(text);
      }
    }
  }

  checkTime(): void {
    if (this.opts.deadline !== undefined && (this.opts.clock ?? Date.now)() > this.opts.deadline) throw new TaintTimeout();
  }

  // ---------------------------------------------------------------- names

  qname(n: SyntaxNode): string | null {
    const u = unparen(n);
    if (LOOKUP_TYPES.has(u.type)) return this.lookedUpName(u);
    if (u.type !== "identifier" && u.type !== "attribute") return null;
    const cached = this.qnameCache.get(u.id);
    if (cached !== undefined) return cached;
    // Resolving through aliases can come back here for the same node: it is unresolved meanwhile.
    this.qnameCache.set(u.id, null);
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
    // Only a callee is read through its alias: a variable holding data keeps its own name, so a
    // check on it is never bypassed by looking through to where the data came from.
    if (u.type === "identifier" && q === u.text && isCallee(u)) q = this.aliasedName(u, false) ?? q;
    if (u.type === "attribute") {
      // `__import__("os").system`, `m = importlib.import_module("os")` then `m.system`: a module
      // only a lookup by constant name gives.
      const obj = unparen(u.childForFieldName("object")!);
      const attr = u.childForFieldName("attribute")?.text;
      const base = LOOKUP_TYPES.has(obj.type)
        ? this.lookedUpName(obj)
        : obj.type === "identifier" && this.qname(obj) === obj.text
          ? // `p.__call__(cmd)` calls p: read through its alias as any callee is.
            this.aliasedName(obj, attr !== "__call__")
          : obj.type === "attribute" && q === null
            ? this.qname(obj)
            : null;
      if (base && attr) q = `${base}.${attr}`;
    }
    // A function's `__call__` is the function: `os.system.__call__(cmd)` calls os.system.
    if (q !== null && q.endsWith(".__call__")) q = q.slice(0, -".__call__".length);
    this.qnameCache.set(u.id, q);
    return q;
  }

  /**
   * The name a variable holds when the definition reaching it binds a function or module by name:
   * `run = os.system` (or `run = getattr(os, "system")`) makes `run(cmd)` a call of os.system, as
   * Python resolves it. Null for anything else (data, parameters, merges of several definitions).
   * `lookupsOnly`: only a binding by a constant-name lookup (`m = __import__("os")`), which always
   * gives a module or one of its members, never request data.
   */
  private aliasedName(id: SyntaxNode, lookupsOnly: boolean, depth = 0): string | null {
    const rhs = this.resolveAssigned(id, this.enclosingFunction(id));
    if (!rhs) return null;
    const r = unparen(rhs);
    if (LOOKUP_TYPES.has(r.type) ? !this.lookedUpName(r) : lookupsOnly || (r.type !== "identifier" && r.type !== "attribute")) return null;
    if (r.type === "identifier") {
      // `t = os.popen; run = t`: through a chain of names to what the first one binds.
      const chained = depth < MAX_ALIAS_CHAIN ? this.aliasedName(r, lookupsOnly, depth + 1) : null;
      if (chained !== null) return chained !== id.text ? chained : null;
      // A name the file defines itself (`def eval(...)`) is that definition, not the builtin.
      if (this.definedNames().has(r.text) && !this.isImported(r)) return null;
    }
    const q = this.qname(r);
    return q !== null && q !== id.text ? q : null;
  }

  /**
   * `getattr(os, "system")` is `os.system`, `__import__("os")` is `os`, `globals()["os"]` is the
   * module's `os` (python/callee-aliases.ts).
   */
  private lookedUpName(lookup: SyntaxNode): string | null {
    return lookupName(
      lookup,
      this.mod.source,
      (n) => this.qname(n),
      (n) => this.constants.constantString(n, this.enclosingFunction(n)),
      (name) => this.mod.imports.resolve(name, lookup.startIndex) ?? name,
    );
  }

  /** The file's method that `receiver.name(...)` calls, where the receiver's class is known (classes.ts). */
  methodCalled(receiver: SyntaxNode, name: string): { fn: FunctionInfo; offset: number } | null {
    return this.classTable.methodCalled(receiver, name);
  }

  /** The `__init__` (or a dataclass's `__post_init__`) a call of a class of the file runs (classes.ts). */
  constructorOf(callee: SyntaxNode): { fn: FunctionInfo; argsToSelf: boolean } | null {
    return this.classTable.constructorOf(callee);
  }

  /** The `__call__` a call of an instance of a class of the file runs (classes.ts). */
  callMethodOf(callee: SyntaxNode): { fn: FunctionInfo; offset: number } | null {
    return this.classTable.callMethodOf(callee);
  }

  /** Whether `n` is inside a class definition this file's class table knows. */
  inKnownClass(n: SyntaxNode): boolean {
    return this.classTable.inKnownClass(n);
  }

  /**
   * Variables of enclosing functions that `fn` reads (its closure, closures.ts). Python reads them
   * when `fn` runs, so a call of `fn` where they are in scope sees their values at the call.
   */
  closureVariables(fn: FunctionInfo): readonly string[] {
    let known = this.closureCache.get(fn);
    if (!known) {
      const enclosing: FunctionInfo[] = [];
      for (let e = this.enclosingFunction(fn.node); e; e = this.enclosingFunction(e.node)) enclosing.push(e);
      this.closureCache.set(fn, (known = capturedNames(fn, enclosing)));
    }
    return known;
  }

  /** The value of the one definition that reaches an identifier where it is read, or null. */
  bindingOf(id: SyntaxNode): SyntaxNode | null {
    return this.resolveAssigned(id, this.enclosingFunction(id));
  }

  /** The function whose graph holds `n` (null at module level). */
  enclosingFunction(n: SyntaxNode): FunctionInfo | null {
    for (let x = n.parent; x; x = x.parent) {
      if (x.type === "function_definition" || x.type === "lambda") return this.byNode.get(x.id) ?? null;
    }
    return null;
  }

  /** Names read somewhere other than as a callee or a definition's own name (`return inner`, `[f, g]`). */
  namesUsedAsValues(): Set<string> {
    if (this.valueNames) return this.valueNames;
    const out = new Set<string>();
    for (const id of this.mod.root.descendantsOfType("identifier")) {
      const parent = id.parent;
      if (!parent || (parent.type === "call" && id.field === "function") || id.field === "name" || (parent.type === "attribute" && id.field === "attribute")) continue;
      out.add(id.text);
    }
    this.valueNames = out;
    return out;
  }

  /** Whether an identifier names an import (its qualified name differs from its text). */
  isImported(id: SyntaxNode): boolean {
    const q = this.qname(id);
    return q !== null && q !== id.text;
  }

  /** Names bound anywhere in the file (defs, classes, assignments, imports, parameters). */
  definedNames(): Set<string> {
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

  args(call: SyntaxNode): ReturnType<typeof callArgs> {
    let a = this.argsCache.get(call.id);
    if (!a) this.argsCache.set(call.id, (a = expandLiteralSplats(call, callArgs(call, this.mod.source), this.mod.source, (id) => this.bindingOf(id))));
    return a;
  }

  private collectAssignments(scope: SyntaxNode, out: Map<string, SyntaxNode>, moduleLevel: boolean): void {
    const counts = new Map<string, number>();
    for (const n of scope.descendantsOfType("assignment")) {
      if (moduleLevel && insideFunction(n, scope)) continue;
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (left?.type === "identifier" && right) {
        counts.set(left.text, (counts.get(left.text) ?? 0) + 1);
        out.set(left.text, right);
      }
    }
    for (const [k, c] of counts) if (c > 1) out.delete(k);
  }

  // ---------------------------------------------------------------- definitions (SSA)

  private ssa(fn: FunctionInfo | null): SsaIndex {
    const cfg = fn ? fn.cfg : this.cfgs.module;
    let idx = this.ssaCache.get(cfg);
    if (!idx) {
      const form = fn?.ssa ?? buildSsa(cfg);
      if (fn) fn.ssa = form;
      const defs = new Map<string, SsaDef>();
      const defined = new Set<string>();
      for (const list of form.defs.values())
        for (const d of list) {
          defs.set(`${d.name}#${d.version}`, d);
          defined.add(d.name);
        }
      for (const list of form.phis.values()) for (const p of list) defined.add(p.name);
      idx = { form, defs, defined };
      this.ssaCache.set(cfg, idx);
    }
    return idx;
  }

  /**
   * The expression assigned to the definition of `n` that reaches this use: from the SSA form of
   * the enclosing graph (`fn`, or the module), then the module's single assignments for globals.
   * Null for parameters, merges of several definitions, and anything but `name = expr`.
   */
  resolveAssigned(n: SyntaxNode, fn: FunctionInfo | null): SyntaxNode | null {
    if (n.type !== "identifier") return null;
    const idx = this.ssa(fn);
    const use = idx.form.uses.get(n.startIndex);
    if (use && use.name === n.text) {
      if (use.version > 0) {
        const def = idx.defs.get(`${use.name}#${use.version}`);
        return def ? this.rhsOf(fn, def) : null;
      }
      // Version 0: the value on entry. A parameter is unknown; a global is the module's constant.
      if (fn && (fn.params.includes(n.text) || idx.defined.has(n.text))) return null;
      return this.moduleAssigns.get(n.text) ?? null;
    }
    // Uses outside the graph's elements (nested scopes reached through a syntax walk).
    if (fn) {
      const r = fn.assigns.get(n.text);
      if (r) return r;
    }
    return this.moduleAssigns.get(n.text) ?? null;
  }

  /**
   * For a name bound by unpacking a call (`a, b = helper(x)`), the call, the name's position and
   * the unpacked targets; null otherwise.
   */
  unpackedFrom(n: SyntaxNode, fn: FunctionInfo | null): { call: SyntaxNode; index: number; targets: readonly SyntaxNode[] } | null {
    if (n.type !== "identifier") return null;
    const idx = this.ssa(fn);
    const use = idx.form.uses.get(n.startIndex);
    if (!use || use.name !== n.text || use.version <= 0) return null;
    const def = idx.defs.get(`${use.name}#${use.version}`);
    const cfg = fn ? fn.cfg : this.cfgs.module;
    const el = def ? cfg.blocks[def.block]?.elements[def.index] : undefined;
    const a = el && el.kind === "stmt" && el.node.type === "expression_statement" ? el.node.namedChildren[0] : undefined;
    if (a?.type !== "assignment") return null;
    const left = a.childForFieldName("left");
    const right = a.childForFieldName("right");
    if (!left || !right || !["pattern_list", "tuple_pattern"].includes(left.type) || unparen(right).type !== "call") return null;
    const targets = left.namedChildren;
    const index = targets.findIndex((t) => t.type === "identifier" && t.text === n.text);
    return index < 0 ? null : { call: unparen(right), index, targets };
  }

  /** Whether `fn`'s graph (re)binds `name` anywhere (a parameter it never rebinds is its argument). */
  rebinds(fn: FunctionInfo | null, name: string): boolean {
    return this.ssa(fn).defined.has(name);
  }

  /** The SSA version of the name used at `n` in `fn` (0: its value on entry), or null. */
  versionAt(n: SyntaxNode, fn: FunctionInfo | null): number | null {
    const use = this.ssa(fn).form.uses.get(n.startIndex);
    return use && use.name === n.text ? use.version : null;
  }

  private rhsOf(fn: FunctionInfo | null, def: SsaDef): SyntaxNode | null {
    const cfg = fn ? fn.cfg : this.cfgs.module;
    const el = cfg.blocks[def.block]?.elements[def.index];
    if (!el || el.kind !== "stmt" || el.node.type !== "expression_statement") return null;
    let a = el.node.namedChildren[0];
    if (!a || a.type !== "assignment") return null;
    const left = a.childForFieldName("left");
    if (left?.type !== "identifier" || left.text !== def.name) return null;
    let right = a.childForFieldName("right");
    // `a = b = v`: the value is the innermost right-hand side.
    while (right?.type === "assignment") {
      a = right;
      right = a.childForFieldName("right");
    }
    return right ?? null;
  }

  // ---------------------------------------------------------------- values

  /**
   * Whether `n` names a table of constants (`COLS = {"a": "name", ...}`) that every use in the
   * file keeps one (constant-tables.ts): any element read from it is one of its constants,
   * whatever the key.
   */
  isConstantContainer(n: SyntaxNode): boolean {
    const u = unparen(n);
    // Cheap test first: most subscripted names are never bound to a literal table.
    return u.type === "identifier" && this.constantTableNames().has(u.text) && this.tables.holds(u);
  }

  /** Names some assignment in the file binds to a container display. */
  private constantTableNames(): Set<string> {
    if (this.constantTables) return this.constantTables;
    const out = new Set<string>();
    for (const n of this.mod.root.descendantsOfType("assignment")) {
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (left?.type === "identifier" && right && ["dictionary", "list", "tuple", "set"].includes(unparen(right).type)) out.add(left.text);
    }
    this.constantTables = out;
    return out;
  }

  /** If `call` is a view (urlparse(u), realpath(p), s.lower(), Path(p).resolve()), its base value. */
  viewOfCall(call: SyntaxNode, depth = 0): { base: SyntaxNode; normalizes: boolean } | null {
    const fnNode = call.childForFieldName("function");
    if (!fnNode || depth > 32) return null;
    const q = this.qname(fnNode);
    const qModel = q ? this.m.viewCalls.byCallee.get(q) : undefined;
    if (qModel) {
      const positional = this.args(call).positional;
      // `Path(base, name)` is a new path built from both, not a view of `base`.
      if (qModel[0]!.normalizesPath && positional.length !== 1) return null;
      const a0 = positional[0];
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

  /** The same-file function a bare callee name refers to (`helper` in `helper(...)`), if any. */
  helperNamed(callee: SyntaxNode): FunctionInfo | undefined {
    return callee.type === "identifier" && !this.isImported(callee) ? this.byName.get(callee.text) : undefined;
  }

  /** A function's own `return` statements (not those of functions or lambdas nested in it). */
  returnStatements(fn: FunctionInfo): SyntaxNode[] {
    return fn.node.descendantsOfType("return_statement").filter((r) => {
      for (let p = r.parent; p; p = p.parent) if (p.type === "function_definition" || p.type === "lambda") return p.id === fn.node.id;
      return false;
    });
  }

  /** The values a function's own `return` statements give (bare `return`s give none). */
  returnedValues(fn: FunctionInfo): SyntaxNode[] {
    return this.returnStatements(fn).flatMap((r) => (r.namedChildren[0] ? [r.namedChildren[0]] : []));
  }

  /** Whether `n` holds a normalized path: a normalizing view, or a name whose reaching definition is one. */
  isNormalizedPath(n: SyntaxNode, fn: FunctionInfo | null, depth = 0): boolean {
    if (depth > 16) return false;
    const u = unparen(n);
    if (u.type === "call") {
      // `str(p)` is the same path as text: normalized when p is.
      const callee = u.childForFieldName("function");
      const only = this.args(u).positional;
      if (callee && this.qname(callee) === "str" && only.length === 1) return this.isNormalizedPath(only[0]!, fn, depth + 1);
      // A same-file helper whose every return is a normalized path (`target = build()`).
      const helper = callee ? this.helperNamed(callee) : undefined;
      if (helper && !helper.isMethod) {
        const returned = this.returnedValues(helper);
        return returned.length > 0 && returned.every((r) => this.isNormalizedPath(r, helper, depth + 1));
      }
      return this.viewOfCall(u)?.normalizes ?? false;
    }
    if (u.type === "identifier") {
      const r = this.resolveAssigned(u, fn);
      return r ? this.isNormalizedPath(r, fn, depth + 1) : false;
    }
    return false;
  }

  /**
   * For a receiver that is `re.compile(CONST)` (or a name assigned one): its pattern text, null
   * when the pattern is not a literal; undefined when the receiver is not a compiled pattern.
   */
  compiledPattern(receiver: SyntaxNode, fn: FunctionInfo | null): string | null | undefined {
    const u = unparen(receiver);
    const r = u.type === "call" ? u : this.resolveAssigned(u, fn);
    if (!r || r.type !== "call") return undefined;
    const callee = r.childForFieldName("function");
    const q = callee ? this.qname(callee) : null;
    if (q !== "re.compile" && q !== "regex.compile") return undefined;
    return this.literalString(this.args(r).positional[0], fn);
  }

  literalString(n: SyntaxNode | undefined, fn: FunctionInfo | null): string | null {
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
}

function insideFunction(n: SyntaxNode, scope: SyntaxNode): boolean {
  for (let p = n.parent; p && p.id !== scope.id; p = p.parent) if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return true;
  return false;
}

let bareNameTable: Map<string, string> | null = null;

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

function isCallee(n: SyntaxNode): boolean {
  let x = n;
  while (x.parent?.type === "parenthesized_expression") x = x.parent;
  return x.parent?.type === "call" && x.field === "function";
}
