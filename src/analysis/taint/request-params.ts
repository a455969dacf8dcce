/**
 * Django-style request objects recognised by behaviour, never by the parameter's name (a view's
 * first parameter is `request` by convention only; renaming it changes nothing at run time, and
 * the metamorphic harness checks the verdict does not change either).
 *
 * A parameter of a function is a request object when
 *  - its annotation names a request type (`HttpRequest`, `WSGIRequest`, `ASGIRequest`, `Request`);
 *  - the function reads one of the parts only a Django/DRF request has (`GET`, `POST`, `COOKIES`,
 *    `FILES`, `META`, `query_params`) from it; or
 *  - it is the first parameter of a registered view: a function named as the view of a URL
 *    pattern (`path("x/", show)`, `re_path`, `url`) or decorated as a Django/DRF view
 *    (`@api_view`, `@require_http_methods`, `@require_POST`, ...); or
 *  - a caller passes it a request parameter of its own (a view's work split into helpers).
 * The client-controlled parts of such a parameter (`REQUEST_DATA`) are then sources. Attribute
 * chains through a framework attribute (`self.request.GET` in class-based views) stay matched by
 * the model's dotted suffixes: that name is Django's API, not one the program chose.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { parameterNames } from "../python/cfg.js";
import { calleeAliasValues } from "../python/index.js";

/** Parts of a request object that hold client-controlled data. */
export const REQUEST_DATA: ReadonlySet<string> = new Set(["GET", "POST", "body", "COOKIES", "META", "FILES", "headers", "data", "query_params"]);
/** Parts no other common object has: reading one marks the parameter as a request. */
const REQUEST_ONLY = new Set(["GET", "POST", "COOKIES", "FILES", "META", "query_params"]);
const REQUEST_TYPE = /(?:^|\.)(?:HttpRequest|WSGIRequest|ASGIRequest|Request)$/;
const VIEW_DECORATOR = /^@\s*(?:[\w.]+\.)?(?:api_view|require_http_methods|require_GET|require_POST|require_safe)\b/;
const URL_REGISTRARS = new Set(["path", "re_path", "url"]);

export class RequestParams {
  private readonly byFunction = new Map<number, Set<string>>();
  private registered: Set<string> | null = null;
  private calls: Map<string, SyntaxNode[]> | null = null;

  constructor(private readonly root: SyntaxNode) {}

  /** Is `attr` (an `attribute` node) a client-controlled part of a request parameter? */
  isRequestData(attr: SyntaxNode): boolean {
    const obj = attr.childForFieldName("object");
    const name = attr.childForFieldName("attribute")?.text;
    if (!obj || obj.type !== "identifier" || !name || !REQUEST_DATA.has(name)) return false;
    // The nearest enclosing function that has the name as a parameter owns it (closures see it).
    for (let p = attr.parent; p; p = p.parent) {
      if (p.type !== "function_definition") continue;
      if (parameterNames(p).includes(obj.text)) return this.requestParamsOf(p).has(obj.text);
    }
    return false;
  }

  private requestParamsOf(fn: SyntaxNode): Set<string> {
    let out = this.byFunction.get(fn.id);
    if (out) return out;
    out = new Set();
    const names = parameterNames(fn);
    for (const p of fn.childForFieldName("parameters")?.namedChildren ?? []) {
      const type = p.childForFieldName("type")?.text.trim();
      if (!type || !REQUEST_TYPE.test(type)) continue;
      const id = p.type === "typed_parameter" ? p.namedChildren.find((c) => c.type === "identifier") : p.childForFieldName("name");
      if (id) out.add(id.text);
    }
    const body = fn.childForFieldName("body");
    if (body) {
      for (const a of body.descendantsOfType("attribute")) {
        const obj = a.childForFieldName("object");
        const part = a.childForFieldName("attribute")?.text;
        if (obj?.type === "identifier" && part && REQUEST_ONLY.has(part) && names.includes(obj.text)) out.add(obj.text);
      }
    }
    const first = names.find((n, i) => !(i === 0 && (n === "self" || n === "cls")));
    if (first && this.isRegisteredView(fn)) out.add(first);
    // Set before following callers, so a recursive call sees the answer so far, not a loop.
    this.byFunction.set(fn.id, out);
    for (const p of this.passedRequests(fn, names)) out.add(p);
    return out;
  }

  /**
   * Parameters that receive a caller's request: `show(request)` calling `helper(request)` makes
   * the helper's parameter a request too (what a view does with its request, split into helpers).
   */
  private passedRequests(fn: SyntaxNode, names: string[]): Set<string> {
    const out = new Set<string>();
    const name = fn.childForFieldName("name")?.text;
    if (!name) return out;
    const offset = names[0] === "self" || names[0] === "cls" ? 1 : 0;
    for (const call of this.callsByName().get(name) ?? []) {
      const caller = enclosingFunction(call);
      if (!caller || caller.id === fn.id) continue;
      let position = 0;
      for (const arg of call.childForFieldName("arguments")?.namedChildren ?? []) {
        if (arg.type === "comment") continue;
        const isKeyword = arg.type === "keyword_argument";
        const value = isKeyword ? arg.childForFieldName("value") : arg;
        const param = isKeyword ? arg.childForFieldName("name")?.text : names[offset + position++];
        if (value?.type === "identifier" && param && names.includes(param) && this.requestParamsOf(caller).has(value.text)) out.add(param);
      }
    }
    return out;
  }

  /** Calls of plain names and `self.name(...)` methods, by the name called. */
  private callsByName(): Map<string, SyntaxNode[]> {
    if (this.calls) return this.calls;
    const out = new Map<string, SyntaxNode[]>();
    for (const call of this.root.descendantsOfType("call")) {
      const callee = call.childForFieldName("function");
      const name = callee?.type === "identifier" ? callee.text : callee?.type === "attribute" && callee.childForFieldName("object")?.text === "self" ? callee.childForFieldName("attribute")?.text : undefined;
      if (!name) continue;
      const list = out.get(name);
      if (list) list.push(call);
      else out.set(name, [call]);
    }
    this.calls = out;
    return out;
  }

  private isRegisteredView(fn: SyntaxNode): boolean {
    const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : null;
    if (decorated && decorated.namedChildren.some((d) => d.type === "decorator" && VIEW_DECORATOR.test(d.text))) return true;
    const name = fn.childForFieldName("name")?.text;
    return !!name && this.registeredViews().has(name);
  }

  /** Names given as the view of a URL pattern anywhere in the module (`path("x/", views.show)` -> show). */
  private registeredViews(): Set<string> {
    if (this.registered) return this.registered;
    const out = new Set<string>();
    if (/\b(?:re_)?path\b|\burl\b/.test(this.root.text)) {
      const aliases = calleeAliasValues(this.root);
      for (const call of this.root.descendantsOfType("call")) {
        let callee = call.childForFieldName("function");
        // `register = path` then `register("x/", show)` (callee-aliases.ts).
        if (callee?.type === "identifier") callee = aliases.get(callee.text) ?? callee;
        const tail = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
        if (!tail || !URL_REGISTRARS.has(tail)) continue;
        const view = call.childForFieldName("arguments")?.namedChildren.filter((c) => c.type !== "keyword_argument" && c.type !== "comment")[1];
        const viewName = view?.type === "identifier" ? view.text : view?.type === "attribute" ? view.childForFieldName("attribute")?.text : undefined;
        if (viewName) out.add(viewName);
      }
    }
    this.registered = out;
    return out;
  }
}

function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition") return p;
  return null;
}
