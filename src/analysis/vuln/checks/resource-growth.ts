/**
 * CWE-770: allocation of resources without limits.
 *
 * 1. Unbounded growth of shared state: a growth operation (`C[k] = v`, `C.append/extend/insert/
 *    add/put/update/setdefault(...)`) on a container that outlives the call (module state, `self`),
 *    storing data derived from the function's parameters, where no condition that measures that
 *    container (`len(C)`, `C.qsize()`, `C.full()`) dominates the operation. Containers created with a
 *    bound (`deque(maxlen=...)`, `Queue(maxsize=N)`) are exempt.
 * 2. Unbounded results: the list from `re.findall`/`re.split` over parameter data returned without a
 *    dominating check of its length or of the input's length (low confidence; when the task names
 *    another CWE this part stays quiet, since the shape is ordinary in code with other concerns).
 * 3. `.read()` / `.readlines()` with no size on a request stream or socket-like object derived from a
 *    parameter.
 *
 * Not detected: loops bounded by an untrusted count (they are rarely distinguishable from ordinary
 * iteration without types), growth through helper functions.
 */
import type { Finding } from "../../finding.js";
import { guardsAt } from "./dominance.js";
import { callArgs, calleeObject, calleeTail, DefUse, descendants, isLiteral, namesIn, rootName, unwrap, ofTypes, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { rootIsShared } from "./state.js";
import { defUseOf, finding, localsOf, parametersAreInput, paramsOf, targetFunctions, type CheckInput } from "./types.js";
import { comparisons } from "./values.js";

const NAME = "unbounded_resource_growth";
// `update`/`setdefault` are left out: merging a record's fields is mass assignment's concern (CWE-915).
const GROWTH_METHODS = new Set(["append", "extend", "insert", "add", "put", "put_nowait", "appendleft", "extendleft", "lpush", "rpush", "sadd"]);
const SIZE_METHODS = new Set(["qsize", "full", "count", "size", "__len__"]);

export function checkResourceGrowth(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  // Its only source of untrusted data is a parameter.
  if (!parametersAreInput(input.context)) return out;
  const bounded = boundedContainers(input.module.root);
  const resultRuleOn = input.context.cwe === undefined || input.context.cwe === "770" || input.context.cwe === "400";
  for (const fn of targetFunctions(input)) {
    const body = fn.childForFieldName("body");
    if (!body) continue;
    const params = new Set(paramsOf(input, fn).map((p) => p.name));
    if (params.size === 0) continue;
    const du = defUseOf(input, fn);
    const fromParams = du.derivedFrom(params);
    const locals = localsOf(input, fn);
    for (const n of ofTypes(body, ["assignment", "call", "return_statement"], { intoFunctions: false })) {
      const growth = growthOperation(n, locals, du);
      if (growth) {
        if (!readsAny(growth.value, fromParams)) continue;
        const root = rootName(growth.container);
        if (root && bounded.has(root)) continue;
        // An object's own fields live as long as the object; its owner decides on limits.
        if (root === "self" || root === "cls") continue;
        if (sizeChecked(n, growth.container)) continue;
        out.push(finding(input, n, { cwe: 770, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `${growth.container.text} grows with caller-supplied data and no size limit is checked on the way (check len()/qsize() against a maximum first)` }));
        continue;
      }
      if (n.type === "call") {
        const unboundedRead = resultRuleOn ? readWithoutLimit(n, fromParams, du) : null;
        if (unboundedRead) out.push(finding(input, n, { cwe: 770, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `${unboundedRead} reads the whole input with no size limit` }));
      }
      if (resultRuleOn && n.type === "return_statement" && n.namedChildren[0]) {
        const split = unboundedSplit(n, n.namedChildren[0], du, fromParams, input.aliases);
        if (split) out.push(finding(input, n, { cwe: 770, name: NAME, severity: "LOW", confidence: "LOW", text: `Returns every match of ${split} over caller data with no limit on their number` }));
      }
    }
  }
  return out;
}

interface Growth {
  container: Node;
  value: Node;
}

function growthOperation(n: Node, locals: Set<string>, du: DefUse): Growth | null {
  if (n.type === "assignment") {
    const left = n.childForFieldName("left");
    const right = n.childForFieldName("right");
    if (left?.type === "subscript" && right) {
      const container = left.childForFieldName("value");
      const key = left.childForFieldName("subscript");
      // A constant key overwrites one field; only a run-time key adds entries.
      if (!key || isLiteral(key)) return null;
      if (container && rootIsShared(container, locals, du) && !keyKnownPresent(n, key, container)) return { container, value: right };
    }
    return null;
  }
  if (n.type === "call" && GROWTH_METHODS.has(calleeTail(n))) {
    const container = calleeObject(n);
    const args = n.childForFieldName("arguments");
    if (container && args && rootIsShared(container, locals, du)) return { container, value: args };
  }
  return null;
}

/** `if k in C: C[k] = v` overwrites an existing entry; it does not grow C. */
function keyKnownPresent(n: Node, key: Node, container: Node): boolean {
  for (const g of guardsAt(n)) {
    for (const cmp of comparisons(g.condition)) {
      const membership = (cmp.op === "in" && g.holds) || (cmp.op === "not in" && !g.holds);
      if (membership && cmp.left.text === key.text && cmp.right.text === container.text) return true;
    }
  }
  return false;
}

function readsAny(n: Node, names: Set<string>): boolean {
  for (const x of namesIn(n)) if (names.has(x)) return true;
  return false;
}

/**
 * Does a dominating condition measure the container (or the same shared root)? An earlier
 * `if len(C) >= MAX: <evict>` / `while len(C) >= MAX: C.pop(...)` in an enclosing block also bounds it.
 */
function sizeChecked(n: Node, container: Node): boolean {
  const root = rootName(container);
  if (root && evictsBefore(n, root)) return true;
  for (const g of guardsAt(n)) {
    // `if x not in C: C.append(x)` adds each distinct value once (growth bounded by the id domain).
    if (!g.holds && comparisons(g.condition).some((cmp) => cmp.op === "in" && cmp.right.text === container.text)) return true;
    if (g.holds && comparisons(g.condition).some((cmp) => cmp.op === "not in" && cmp.right.text === container.text)) return true;
    if (root && measures(g.condition, root)) return true;
  }
  return false;
}

function measures(condition: Node, root: string): boolean {
  for (const c of descendants(condition)) {
    if (c.type !== "call") continue;
    const fnNode = c.childForFieldName("function");
    if (fnNode?.type === "identifier" && fnNode.text === "len") {
      const arg = c.childForFieldName("arguments")?.namedChildren[0];
      if (arg && rootName(arg) === root) return true;
    } else if (SIZE_METHODS.has(calleeTail(c))) {
      const obj = calleeObject(c);
      if (obj && rootName(obj) === root) return true;
    }
  }
  return false;
}

function evictsBefore(n: Node, root: string): boolean {
  let child: Node = n;
  for (let p = n.parent; p; child = p, p = p.parent) {
    if (p.type === "function_definition") break;
    if (p.type !== "block") continue;
    for (const stmt of p.namedChildren) {
      if (stmt.id === child.id) break;
      if ((stmt.type === "if_statement" || stmt.type === "while_statement") && measures(stmt.childForFieldName("condition")!, root)) return true;
    }
  }
  return false;
}

/** Module-level names created with a size bound: deque(maxlen=N), Queue(maxsize=N > 0), LRU caches. */
function boundedContainers(root: Node): Set<string> {
  const out = new Set<string>();
  for (const stmt of root.namedChildren) {
    const a = stmt.type === "expression_statement" ? stmt.namedChildren[0] : null;
    if (a?.type !== "assignment") continue;
    const right = a.childForFieldName("right");
    const left = a.childForFieldName("left");
    if (!right || !left || unwrap(right).type !== "call") continue;
    const call = unwrap(right);
    const tail = calleeTail(call);
    const args = callArgs(call);
    const bound =
      (tail === "deque" && (args.keywords.has("maxlen") || args.positional.length >= 2)) ||
      (/Queue$/.test(tail) && positiveInt(args.keywords.get("maxsize") ?? args.positional[0])) ||
      /LRU|TTLCache|BoundedDict/i.test(tail);
    if (bound && left.type === "identifier") out.add(left.text);
  }
  return out;
}

function positiveInt(n: Node | undefined): boolean {
  return n !== undefined && unwrap(n).type === "integer" && Number(unwrap(n).text) > 0;
}

/**
 * A whole read of a stream the caller hands over (`stream.read()`, `request.body.read()`): its size
 * is the sender's choice. Decided by where the stream comes from (a parameter, not a file this
 * function opens), never by its name; like the result rule, only when the task is about resource
 * limits (or names no CWE), since reading a whole small input is ordinary elsewhere.
 */
function readWithoutLimit(call: Node, fromParams: Set<string>, du: DefUse): string | null {
  const tail = calleeTail(call);
  if (tail !== "read" && tail !== "readlines" && tail !== "recv_all") return null;
  if (callArgs(call).positional.length > 0 || callArgs(call).keywords.size > 0) return null;
  const obj = calleeObject(call);
  if (!obj) return null;
  if (unwrap(obj).type === "call") return null;
  if (!readsAny(obj, fromParams)) return null;
  const root = rootName(obj);
  const opened = root ? [...(du.assignedValues.get(root) ?? []), ...withTargets(du.scope, root)] : [];
  if (opened.some((v) => unwrap(v).type === "call" && calleeTail(unwrap(v)) === "open")) return null;
  return `${obj.text}.${tail}()`;
}

/** Values bound by `with X as name` in the function. */
function withTargets(fn: Node, name: string): Node[] {
  const out: Node[] = [];
  for (const item of ofTypes(fn, ["with_item"], { intoFunctions: false })) {
    const asp = item.namedChildren[0];
    if (asp?.type === "as_pattern" && asp.childForFieldName("alias")?.text === name && asp.namedChildren[0]) out.push(asp.namedChildren[0]);
  }
  return out;
}

function unboundedSplit(ret: Node, value: Node, du: DefUse, fromParams: Set<string>, aliases: Map<string, string>): string | null {
  const exprs: Node[] = [value];
  for (const name of namesIn(value)) for (const v of du.assignedValues.get(name) ?? []) exprs.push(v);
  for (const e of exprs) {
    const call = unwrap(e);
    if (call.type !== "call") continue;
    const callee = qualifiedCallee(call, aliases) ?? "";
    if (!/^re\.(findall|split)$/.test(callee)) continue;
    const subject = callArgs(call).positional[1];
    if (!subject || !readsAny(subject, fromParams)) continue;
    // Any dominating len() check of the result or of the input is a limit.
    const limited = guardsAt(ret).some((g) => [...descendants(g.condition)].some((c) => c.type === "call" && c.childForFieldName("function")?.text === "len"));
    if (limited) continue;
    if (unwrap(value).type === "subscript" && unwrap(value).childForFieldName("subscript")?.type === "slice") continue;
    return `${callee}()`;
  }
  return null;
}
