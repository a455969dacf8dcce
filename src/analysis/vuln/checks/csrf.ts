/**
 * CWE-352: cross-site request forgery.
 *
 * 1. Framework protection switched off: `@csrf_exempt`, `WTF_CSRF_ENABLED = False`,
 *    `WTF_CSRF_CHECK_DEFAULT = False` (assignment or app.config item).
 * 2. A request handler (a function with a request-like parameter: in task code, one it reads
 *    `headers`, `body`, `form`, `json`, `cookies`... from; in a plain scan, one it reads an
 *    HTTP-only part from: `headers`, `cookies`, `form`, `POST`...; never decided by the parameter's
 *    name) that changes state outside itself (writes, deletes or calls a mutating method on a
 *    non-local container) using request data, where no guard that reads a request header/cookie or
 *    a CSRF token field dominates the change. Guards written in a helper (a validator called first,
 *    a predicate in the condition) count through the helper's body (calls.ts).
 * 3. The same handler decoding the request body as JSON with no dominating check of a request
 *    header (the Content-Type): a cross-site form can post a text/plain body that parses as JSON.
 *
 * Not detected: a missing `CSRFProtect(app)` (whole-application setup is out of a function's view).
 */
import type { Finding } from "../../finding.js";
import { guardsAt } from "./dominance.js";
import { DefUse, descendants, enclosingFunction, functionName, namesIn, rootName, stringValue, unwrap, ofTypes, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { defUseOf, finding, localsOf, paramsOf, liveNodesOfType, parametersAreInput, targetFunctions, type CheckInput } from "./types.js";
import { mutationTarget } from "./state.js";
import { argumentBinding, calledFunction, callSitesOf, helperResults, MAX_CALL_DEPTH } from "./calls.js";

const NAME = "csrf_protection_missing";
const REQUEST_PARTS = new Set(["headers", "body", "form", "json", "cookies", "args", "data", "POST", "GET", "META", "files", "values", "method", "query_params", "query"]);
const ORIGIN_PARTS = new Set(["headers", "cookies", "META"]);
/**
 * Parts only an HTTP request has. `body`, `args`, `data`, `json`, `values`, `query` are also the
 * fields of syntax-tree nodes, log records, partial objects and parsers, so in a plain scan (no task
 * naming the handler) a parameter is a request only when it is named one and reads request parts,
 * or when it reads one of these.
 */
const HTTP_ONLY_PARTS = new Set(["headers", "cookies", "form", "POST", "GET", "META", "COOKIES", "FILES", "files", "query_params"]);

export function checkCsrf(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  for (const node of liveNodesOfType(input, ["decorator", "assignment"])) {
    if (node.type === "decorator" && /(^@?|\.)csrf_exempt\b/.test(node.text)) {
      out.push(finding(input, node, { cwe: 352, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: "View exempted from CSRF protection (@csrf_exempt)" }));
    } else if (node.type === "assignment") {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right || unwrap(right).type !== "false") continue;
      const key = left.type === "subscript" ? stringValue(left.childForFieldName("subscript")!) : left.text.split(".").pop();
      if (key && /^WTF_CSRF_(ENABLED|CHECK_DEFAULT)$/.test(key)) out.push(finding(input, node, { cwe: 352, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: `CSRF protection disabled (${key} = False)` }));
    }
  }
  const fns = targetFunctions(input);
  for (const fn of fns) out.push(...handlerFindings(input, fn));
  return out;
}

function handlerFindings(input: CheckInput, fn: Node): Finding[] {
  const body = fn.childForFieldName("body");
  if (!body) return [];
  const requests = requestParams(input, fn, body);
  if (requests.size === 0) return [];
  const du = defUseOf(input, fn);
  const fromRequest = du.derivedFrom(requests);
  const locals = localsOf(input, fn);
  const out: Finding[] = [];
  let reportedState = false;
  let reportedJson = false;
  for (const n of ofTypes(body, ["assignment", "augmented_assignment", "delete_statement", "call"], { intoFunctions: false })) {
    if (!reportedState) {
      const target = mutationTarget(n, locals, du);
      // In a plain scan an object updating its own fields (a client's auth hook, a cache adapter)
      // is not server state; task code's handlers may keep their store on self.
      const ownFields = !parametersAreInput(input.context) && target !== null && /^self\b/.test(target);
      if (target && !ownFields && usesAny(n, fromRequest) && !originChecked(n, requests, du, input)) {
        out.push(finding(input, n, { cwe: 352, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `Handler ${functionName(fn)}() changes ${target} from request data without checking a CSRF token first` }));
        reportedState = true;
      }
    }
    if (!reportedJson && n.type === "call") {
      const callee = qualifiedCallee(n, input.aliases) ?? "";
      if (/^(json|simplejson|ujson|orjson)\.loads$/.test(callee) && usesAny(n, fromRequest) && !originChecked(n, requests, du, input)) {
        out.push(finding(input, n, { cwe: 352, name: NAME, severity: "MEDIUM", confidence: "MEDIUM", text: `Handler ${functionName(fn)}() parses the request body as JSON without checking its Content-Type (a cross-site text/plain form post would be accepted)` }));
        reportedJson = true;
      }
    }
  }
  return out;
}

/**
 * Parameters the function reads request parts from (`p["headers"]`, `p.form`), itself or through
 * a helper it hands them to.
 */
function requestParams(input: CheckInput, fn: Node, body: Node, depth = 0): Set<string> {
  const params = new Set(paramsOf(input, fn).map((p) => p.name));
  const taskCode = parametersAreInput(input.context);
  const out = new Set<string>();
  for (const n of ofTypes(body, ["subscript", "attribute", "call"], { intoFunctions: false })) {
    const part = requestPart(n);
    if (part && params.has(part.base) && (taskCode || HTTP_ONLY_PARTS.has(part.part))) out.add(part.base);
    const helper = n.type === "call" && depth < MAX_CALL_DEPTH ? calledFunction(n) : null;
    const helperBody = helper && helper.id !== fn.id ? helper.childForFieldName("body") : null;
    if (!helper || !helperBody) continue;
    const inner = requestParams(input, helper, helperBody, depth + 1);
    for (const [param, arg] of argumentBinding(n, helper)) if (inner.has(param) && unwrap(arg).type === "identifier" && params.has(unwrap(arg).text)) out.add(unwrap(arg).text);
  }
  return out;
}

function requestPart(n: Node): { base: string; part: string } | null {
  if (n.type === "subscript") {
    const base = n.childForFieldName("value");
    const key = n.childForFieldName("subscript");
    const k = key ? stringValue(key) : null;
    if (base?.type === "identifier" && k && REQUEST_PARTS.has(k)) return { base: base.text, part: k };
  } else if (n.type === "attribute") {
    const base = n.childForFieldName("object");
    const attr = n.childForFieldName("attribute")?.text ?? "";
    if (base?.type === "identifier" && REQUEST_PARTS.has(attr)) return { base: base.text, part: attr };
  } else if (n.type === "call") {
    // request.get("headers")
    const fn = n.childForFieldName("function");
    const first = n.childForFieldName("arguments")?.namedChildren[0];
    if (fn?.type === "attribute" && fn.childForFieldName("attribute")?.text === "get" && first) {
      const base = fn.childForFieldName("object");
      const k = stringValue(first);
      if (base?.type === "identifier" && k && REQUEST_PARTS.has(k)) return { base: base.text, part: k };
    }
  }
  return null;
}

function usesAny(n: Node, names: Set<string>): boolean {
  for (const x of namesIn(n)) if (names.has(x)) return true;
  return false;
}

/**
 * Does a dominating guard read the request's origin evidence: a header or cookie value, or a CSRF
 * token field of the request (directly or through a variable), or call a library CSRF validator?
 * A helper in the condition is read through what it returns.
 */
function originChecked(n: Node, requests: Set<string>, du: DefUse, input: CheckInput, depth = 0): boolean {
  const originVars = new Set<string>();
  for (const [v, values] of du.assignedValues) {
    if (values.some((val) => [val, ...helperResults(val)].some((x) => readsOrigin(x, requests)))) originVars.add(v);
  }
  const derived = du.derivedFrom(originVars);
  for (const guard of guardsAt(n)) {
    for (const cond of [guard.condition, ...helperResults(guard.condition)]) {
      if (readsOrigin(cond, requests)) return true;
      for (const name of namesIn(cond)) if (derived.has(name)) return true;
      for (const c of descendants(cond)) if (c.type === "call" && !calledFunction(c) && /csrf|xsrf/i.test(c.childForFieldName("function")?.text ?? "")) return true;
    }
  }
  // A helper's caller may have checked the origin before the call (its own variables, its frame).
  const fn = enclosingFunction(n);
  const sites = fn ? callSitesOf(fn).filter((c) => enclosingFunction(c)?.id !== fn.id) : [];
  if (depth >= MAX_CALL_DEPTH || sites.length !== 1) return false;
  const call = sites[0]!;
  const caller = enclosingFunction(call);
  if (!caller || !fn) return false;
  const callerRequests = new Set<string>();
  for (const [param, arg] of argumentBinding(call, fn)) if (requests.has(param)) for (const x of namesIn(arg)) callerRequests.add(x);
  return callerRequests.size > 0 && originChecked(call, callerRequests, defUseOf(input, caller), input, depth + 1);
}

/** A header, cookie or CSRF token field (`req["body"]["csrf_token"]`, `request.csrf_token`) of a request. */
function readsOrigin(expr: Node, requests: Set<string>): boolean {
  for (const n of descendants(expr)) {
    const part = requestPart(n);
    if (part && requests.has(part.base) && ORIGIN_PARTS.has(part.part)) return true;
    if (requests.has(rootName(n) ?? "") && tokenField(n)) return true;
  }
  return false;
}

function tokenField(n: Node): boolean {
  if (n.type === "attribute") return /csrf|xsrf/i.test(n.childForFieldName("attribute")?.text ?? "");
  if (n.type === "subscript") return /csrf|xsrf/i.test(stringValue(n.childForFieldName("subscript")!) ?? "");
  if (n.type === "call" && calleeTailIs(n, "get")) return /csrf|xsrf/i.test(stringValue(n.childForFieldName("arguments")?.namedChildren[0] ?? n) ?? "");
  return false;
}

function calleeTailIs(call: Node, name: string): boolean {
  const f = call.childForFieldName("function");
  return f?.type === "attribute" && f.childForFieldName("attribute")?.text === name;
}
