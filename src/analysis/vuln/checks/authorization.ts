/**
 * CWE-862/863: missing or incomplete authorization before a privileged operation.
 *
 * A privileged operation is (a) a change to shared state (module-level containers, `self`) at an
 * entry keyed by a parameter-derived value (updating/deleting another record), or (b) returning data
 * read from shared state by a parameter-derived key (another user's record).
 *
 * The caller's identity and rights arrive as parameters that the operation itself does not use: in
 * `view(actor_id, target_id)` the operation reads `PROFILES[target_id]`; `actor_id` is only there to
 * be checked. The rule: every such context parameter (required, not used by the operation) must be
 * read by a condition that dominates the operation (`actor == target`, `USERS[actor]["role"] ==
 * "admin"`, `role in ALLOWED`, `can_edit(actor, doc)`), directly or through a value derived from
 * it. None checked: CWE-862 (missing authorization); some checked but not all: CWE-863.
 */
import type { Finding } from "../../finding.js";
import { calleeTail, DefUse, descendants, enclosingFunction, functionName, namesIn, ofTypes, rootIsSharedRoot, unwrap, type Node } from "./ast.js";
import { argumentBinding, calledFunction, MAX_CALL_DEPTH } from "./calls.js";
import { dominatingGuards, guardsAt } from "./dominance.js";
import { mutationTarget } from "./state.js";
import { defUseOf, finding, localsOf, parametersAreInput, paramsOf, targetFunctions, type CheckInput } from "./types.js";

const NAME = "authorization_missing";

export function checkAuthorization(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  // The caller's identity arrives as a parameter; only under a task are parameters attacker input.
  const fns = parametersAreInput(input.context) ? targetFunctions(input) : [];
  for (const fn of fns) {
    const f = checkFunction(input, fn);
    if (f) out.push(f);
  }
  return out;
}

/**
 * Module-level names that are not record stores (bound to lists, sets, numbers, strings...): state,
 * but not "records keyed by someone's id". Names bound to dicts, or not bound here at all (stores
 * defined elsewhere), can be stores.
 */
function nonStoreGlobals(root: Node): Set<string> {
  const out = new Set<string>();
  for (const stmt of root.namedChildren) {
    const a = stmt.type === "expression_statement" ? stmt.namedChildren[0] : null;
    if (a?.type !== "assignment") continue;
    const left = a.childForFieldName("left");
    const right = a.childForFieldName("right");
    if (left?.type !== "identifier" || !right) continue;
    const r = unwrap(right);
    const isDict = r.type === "dictionary" || r.type === "dictionary_comprehension" || (r.type === "call" && /(^|\.)(dict|defaultdict|OrderedDict|Counter|shelve\.open)$/.test(r.childForFieldName("function")?.text ?? ""));
    if (!isDict) out.add(left.text);
  }
  return out;
}

function checkFunction(input: CheckInput, fn: Node): Finding | null {
  const body = fn.childForFieldName("body");
  if (!body) return null;
  const params = paramsOf(input, fn);
  // Optional parameters (flags, limits with defaults) are not who-is-asking evidence.
  const required = params.filter((p) => p.node.type !== "default_parameter" && p.node.type !== "typed_default_parameter").map((p) => p.name);
  if (required.length < 2) return null;
  const du = defUseOf(input, fn);
  const locals = localsOf(input, fn);
  for (const g of nonStoreGlobals(input.module.root)) locals.add(g);
  const paramSet = new Set(params.map((p) => p.name));

  const context = contextParameters(body, required, du);
  if (context.length === 0) return null;

  for (const n of ofTypes(body, ["assignment", "augmented_assignment", "delete_statement", "call", "return_statement"], { intoFunctions: false })) {
    const op = privilegedOperation(n, locals, du, paramSet) ?? helperOperation(input, n, du.derivedFrom(paramSet));
    if (!op) continue;
    const guardNames = new Set<string>();
    for (const g of guardsAt(n)) for (const name of namesIn(g.condition)) guardNames.add(name);
    for (const name of op.checkedInside ?? []) guardNames.add(name);
    const checked = context.filter((p) => {
      const derived = du.derivedFrom([p]);
      for (const g of guardNames) if (derived.has(g)) return true;
      return false;
    });
    if (checked.length === context.length) continue;
    const unchecked = context.filter((p) => !checked.includes(p));
    const cwe = checked.length === 0 ? 862 : 863;
    return finding(input, n, {
      cwe,
      name: NAME,
      severity: "HIGH",
      confidence: "MEDIUM",
      text:
        cwe === 862
          ? `${functionName(fn)}() ${op.kind} without an authorization check: ${unchecked.join(", ")} (the caller's identity/role) is not checked on the way to it`
          : `${functionName(fn)}() ${op.kind} after an incomplete authorization check: ${unchecked.join(", ")} is not checked on every path to it`,
    });
  }
  return null;
}

/**
 * Required parameters that the function reads only in conditions (directly, or through variables
 * that are themselves only tested): the caller's identity and role, there to be checked. A parameter
 * whose value reaches a write, a call, a return or a key is data, not context.
 */
function contextParameters(body: Node, required: string[], du: DefUse, depth = 0): string[] {
  const dataNames = new Set<string>();
  for (const n of ofTypes(body, ["identifier"], { intoFunctions: false })) {
    const parent = n.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === n.id) continue;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === n.id) continue;
    if (inCondition(n) || inPlainAssignment(n) || inOutputCall(n) || testedByHelper(n, depth)) continue;
    dataNames.add(n.text);
  }
  return required.filter((p) => {
    for (const d of du.derivedFrom([p])) if (dataNames.has(d)) return false;
    return true;
  });
}

/**
 * Is the identifier handed, as a whole argument, to a helper of this module that only tests it
 * (a context parameter of the helper)? Moving a check into a helper keeps the value context.
 */
function testedByHelper(n: Node, depth: number): boolean {
  const arg = n.parent?.type === "keyword_argument" ? n.parent : n;
  const call = arg.parent?.type === "argument_list" ? arg.parent.parent : null;
  if (call?.type !== "call" || depth >= MAX_CALL_DEPTH) return false;
  const helper = calledFunction(call);
  const body = helper?.childForFieldName("body");
  if (!helper || !body || helper.id === enclosingFunction(call)?.id) return false;
  for (const [param, value] of argumentBinding(call, helper)) {
    if (value.id !== n.id) continue;
    return contextParameters(body, [param], DefUse.of(helper), depth + 1).includes(param);
  }
  return false;
}

const OUTPUT_CALLS = new Set(["print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log"]);

/** Printing or logging who asked is an observation, not a use of the value by the operation. */
function inOutputCall(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === "block" || p.type === "function_definition" || p.type === "module") return false;
    if (p.type === "call" && OUTPUT_CALLS.has(calleeTail(p))) return true;
  }
  return false;
}

function inCondition(n: Node): boolean {
  for (let c: Node = n, p = n.parent; p; c = p, p = p.parent) {
    if (p.type === "block" || p.type === "function_definition" || p.type === "module") return false;
    // Loop conditions bound work (`while n > 0`): data use, not a check.
    if ((p.type === "if_statement" || p.type === "elif_clause") && p.childForFieldName("condition")?.id === c.id) return true;
    if (p.type === "assert_statement" || p.type === "if_clause") return true;
    if (p.type === "conditional_expression" && p.namedChildren[1]?.id === c.id) return true;
  }
  return false;
}

/** Is the identifier on the right of `name = ...` / left as a plain target (propagation, not use)? */
function inPlainAssignment(n: Node): boolean {
  for (let c: Node = n, p = n.parent; p; c = p, p = p.parent) {
    if (p.type === "block" || p.type === "function_definition" || p.type === "module") return false;
    if (p.type === "assignment" || p.type === "augmented_assignment") {
      const left = p.childForFieldName("left");
      return left !== null && left.type === "identifier" && (p.childForFieldName("right")?.id === c.id || left.id === c.id);
    }
    if (p.type === "for_statement" || p.type === "for_in_clause") {
      const left = p.childForFieldName("left");
      return left !== null && (left.id === c.id || p.childForFieldName("right")?.id === c.id) && left.type === "identifier";
    }
  }
  return false;
}

interface PrivilegedOp {
  kind: string;
  /** Caller names a condition inside the helper tests on the way to the operation. */
  checkedInside?: Set<string>;
  /** The expression whose names the operation itself needs (key, value, returned data). */
  uses: Node;
}

function privilegedOperation(n: Node, locals: Set<string>, du: DefUse, params: Set<string>): PrivilegedOp | null {
  const target = mutationTarget(n, locals, du);
  if (target !== null && keyedByParameter(n, du, params)) return { kind: `modifies ${target}`, uses: n };
  if (n.type === "return_statement" && n.namedChildren[0]) {
    const value = n.namedChildren[0];
    const read = sharedRead(value, locals, du, params);
    if (read) return { kind: `returns ${read}`, uses: value };
  }
  return null;
}

/**
 * A call (or a returned call) of one of the module's helpers that performs a privileged operation
 * keyed by what the caller passes it: the operation is the caller's, moved into a helper.
 */
function helperOperation(input: CheckInput, n: Node, fromParams: Set<string>, depth = 0): PrivilegedOp | null {
  const calls = n.type === "call" ? [n] : n.type === "return_statement" && n.namedChildren[0] && unwrap(n.namedChildren[0]).type === "call" ? [unwrap(n.namedChildren[0])] : [];
  for (const call of calls) {
    const helper = calledFunction(call);
    const body = helper?.childForFieldName("body");
    if (!helper || !body || depth >= MAX_CALL_DEPTH || helper.id === enclosingFunction(call)?.id) continue;
    // The helper's parameters that carry the caller's input.
    const fed = new Set<string>();
    for (const [param, arg] of argumentBinding(call, helper)) if ([...namesIn(arg)].some((x) => fromParams.has(x))) fed.add(param);
    if (fed.size === 0) continue;
    const du = defUseOf(input, helper);
    const locals = localsOf(input, helper);
    for (const g of nonStoreGlobals(input.module.root)) locals.add(g);
    const derived = du.derivedFrom(fed);
    const binding = argumentBinding(call, helper);
    for (const m of ofTypes(body, ["assignment", "augmented_assignment", "delete_statement", "call", "return_statement"], { intoFunctions: false })) {
      if (m.type === "return_statement" && n.type !== "return_statement") continue;
      const op = privilegedOperation(m, locals, du, fed) ?? helperOperation(input, m, derived, depth + 1);
      if (!op) continue;
      // Parameters the helper tests on the way (its own guards, and checks deeper down), in the caller's names.
      const tested = new Set<string>(op.checkedInside ?? []);
      for (const g of dominatingGuards(m, helper)) for (const name of namesIn(g.condition)) tested.add(name);
      const checkedInside = new Set<string>();
      for (const [param, arg] of binding) if ([...du.derivedFrom([param])].some((d) => tested.has(d))) for (const x of namesIn(arg)) checkedInside.add(x);
      return { kind: `${op.kind} (in ${functionName(helper)}())`, uses: n, checkedInside };
    }
  }
  return null;
}

/** Does the statement index shared state with a parameter-derived key? */
function keyedByParameter(n: Node, du: DefUse, params: Set<string>): boolean {
  const fromParams = du.derivedFrom(params);
  for (const s of descendants(n)) {
    if (s.type !== "subscript") continue;
    const key = s.childForFieldName("subscript");
    if (key) for (const name of namesIn(key)) if (fromParams.has(name)) return true;
  }
  // A local alias of a keyed record: rec = DB[uid]; rec["x"] = v
  for (const name of namesIn(n)) {
    for (const v of du.assignedValues.get(name) ?? []) {
      if (unwrap(v).type === "subscript" && [...namesIn(unwrap(v).childForFieldName("subscript")!)].some((x) => fromParams.has(x))) return true;
    }
  }
  return false;
}

/** Text of a shared-state read keyed by a parameter that the returned value derives from, else null. */
function sharedRead(value: Node, locals: Set<string>, du: DefUse, params: Set<string>): string | null {
  const fromParams = du.derivedFrom(params);
  const candidates: Node[] = [value];
  for (const name of du.closure(namesIn(value))) for (const v of du.assignedValues.get(name) ?? []) candidates.push(v);
  for (const c of candidates) {
    for (const s of descendants(c)) {
      if (s.type !== "subscript") continue;
      const base = s.childForFieldName("value");
      const key = s.childForFieldName("subscript");
      if (!base || !key || !rootIsSharedRoot(base, locals)) continue;
      if ([...namesIn(key)].some((x) => fromParams.has(x))) return s.text;
    }
  }
  return null;
}
