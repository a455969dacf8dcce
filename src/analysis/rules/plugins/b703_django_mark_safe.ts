import type { SyntaxNode } from "../../python/index.js";
import { nodeText, unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { ancestorsOf } from "./util/ancestors.js";
import { banditCall, isStrConstant, nameId } from "./util/bandit.js";
import { isSyncFunctionDef, positionalParams } from "./util/functions.js";
import { callsOneOf } from "./util/triggers.js";

const AFFECTED = ["mark_safe", "SafeText", "SafeUnicode", "SafeString", "SafeBytes"];
// Bandit recurses through assignments; past this depth CPython would have given up with an error.
const MAX_DEPTH = 400;

/**
 * Bandit's django_xss heuristic: a variable passed to mark_safe() is considered safe when every
 * assignment to it before the call (looking through if/for/while/try/with bodies of the enclosing
 * function or module) gives a string literal, another safe variable, or a `"...".format(...)` of
 * safe values. Parameters of the enclosing function are never safe.
 */
class XssEvaluator {
  constructor(private readonly source: string) {}

  private statements(block: SyntaxNode | null | undefined): SyntaxNode[] {
    if (!block) return [];
    return block.namedChildren.filter((c) => c.type !== "comment");
  }

  private bodyOf(scope: SyntaxNode): SyntaxNode[] {
    return scope.type === "module" ? this.statements(scope) : this.statements(scope.childForFieldName("body"));
  }

  isParam(name: string, scope: SyntaxNode): boolean {
    return scope.type === "function_definition" && positionalParams(scope, this.source).args.includes(name);
  }

  /** DeepAssignation.is_assigned: the value(s) a statement assigns to `name`, or null. */
  private assigned(node: SyntaxNode, name: string): SyntaxNode | SyntaxNode[] | null {
    const n = node.type === "decorated_definition" ? (node.childForFieldName("definition") ?? node) : node;
    switch (n.type) {
      case "expression_statement": {
        const inner = n.namedChildren.filter((c) => c.type !== "comment");
        const first = inner[0];
        if (inner.length !== 1 || !first) return null;
        if (first.type === "augmented_assignment") {
          return nameId(first.childForFieldName("left"), this.source) === name ? (first.childForFieldName("right") ?? null) : null;
        }
        if (first.type === "assignment" && !first.childForFieldName("type")) {
          // `a = b = v`: ast.Assign(targets=[a, b], value=v); only targets[0] is examined.
          let value: SyntaxNode | null = first.childForFieldName("right");
          while (value && value.type === "assignment") value = value.childForFieldName("right");
          if (!value) return null;
          const target = unparenthesize(first.childForFieldName("left")!);
          if (target.type === "identifier") return nodeText(target, this.source) === name ? value : null;
          if (target.type === "pattern_list" || target.type === "tuple_pattern" || target.type === "tuple") {
            // Only a tuple value is looked into (`a, b = x, y`); unpacking anything else
            // (`text, url = choice(options)`) assigns nothing Bandit can follow, so the variable
            // stays unproven and mark_safe() of it is reported (Bandit's unit test for B703's
            // tuple-assign case expects one issue; older releases crashed on `value.elts`).
            const v = unparenthesize(value);
            if (v.type !== "expression_list" && v.type !== "tuple") return null;
            const elts = v.namedChildren.filter((c) => c.type !== "comment");
            const names = target.namedChildren.filter((c) => c.type !== "comment");
            for (let pos = 0; pos < names.length; pos++) {
              const id = nameId(names[pos], this.source);
              if (id === null) throw new PluginFailure(); // `*rest` or `obj.attr` has no `.id`
              if (id !== name) continue;
              const elt = elts[pos];
              if (!elt) throw new PluginFailure(); // IndexError on a shorter value tuple
              return elt;
            }
            return null;
          }
        }
        return null;
      }
      case "function_definition": {
        if (!isSyncFunctionDef(n)) return null;
        if (positionalParams(n, this.source).args.includes(name)) return null;
        return this.assignedIn(this.statements(n.childForFieldName("body")), name);
      }
      case "with_statement": {
        const clause = n.namedChildren.find((c) => c.type === "with_clause");
        const items = clause ? clause.namedChildren.filter((c) => c.type === "with_item") : [];
        let result: SyntaxNode | SyntaxNode[] | null = null;
        for (const item of items) {
          const value = item.childForFieldName("value");
          const alias = value && value.type === "as_pattern" ? value.childForFieldName("alias") : null;
          const target = alias ? (alias.namedChildren[0] ?? alias) : null;
          result = target && nameId(target, this.source) === name ? n : this.assignedIn(this.statements(n.childForFieldName("body")), name);
        }
        return result;
      }
      case "try_statement": {
        const out: SyntaxNode[] = [];
        out.push(...this.assignedIn(this.statements(n.childForFieldName("body")), name));
        for (const c of n.namedChildren) {
          if (c.type === "except_clause" || c.type === "except_group_clause" || c.type === "else_clause" || c.type === "finally_clause") {
            const block = c.namedChildren.find((b) => b.type === "block");
            out.push(...this.assignedIn(this.statements(block), name));
          }
        }
        return out;
      }
      case "if_statement":
      case "for_statement":
      case "while_statement": {
        const out: SyntaxNode[] = [];
        const main = n.childForFieldName(n.type === "if_statement" ? "consequence" : "body");
        out.push(...this.assignedIn(this.statements(main), name));
        for (const c of n.namedChildren) {
          if (c.type === "elif_clause") out.push(...this.assignedIn(this.statements(c.childForFieldName("consequence")), name));
          else if (c.type === "else_clause") out.push(...this.assignedIn(this.statements(c.childForFieldName("body")), name));
        }
        return out;
      }
      default:
        return null;
    }
  }

  private assignedIn(items: SyntaxNode[], name: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const item of items) {
      const a = this.assigned(item, name);
      if (Array.isArray(a)) out.push(...a);
      else if (a) out.push(a);
    }
    return out;
  }

  evaluateVar(variable: string, scope: SyntaxNode, until: number, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new PluginFailure();
    if (this.isParam(variable, scope)) return false;
    let secure = false;
    for (const stmt of this.bodyOf(scope)) {
      if (stmt.startPosition.row + 1 >= until) break;
      const to = this.assigned(stmt, variable);
      if (to === null || (Array.isArray(to) && to.length === 0)) continue;
      if (!Array.isArray(to)) {
        const v = unparenthesize(to);
        if (isStrConstant(v, this.source)) secure = true;
        else if (v.type === "identifier") secure = this.evaluateVar(nodeText(v, this.source), scope, v.startPosition.row + 1, depth + 1);
        else if (v.type === "call") secure = this.evaluateCall(v, scope, depth + 1);
        else {
          secure = false;
          break;
        }
        continue;
      }
      let safe = 0;
      for (const some of to) {
        const v = unparenthesize(some);
        if (isStrConstant(v, this.source)) safe++;
        else if (v.type === "identifier" && this.evaluateVar(nodeText(v, this.source), scope, stmt.startPosition.row + 1, depth + 1)) safe++;
        else break;
      }
      if (safe === to.length) secure = true;
      else {
        secure = false;
        break;
      }
    }
    return secure;
  }

  /** Only `"literal".format(<safe values>)` without keywords counts as a safe call. */
  evaluateCall(call: SyntaxNode, scope: SyntaxNode, depth: number, formatArgs?: SyntaxNode[] | "keywords"): boolean {
    if (depth > MAX_DEPTH) throw new PluginFailure();
    let args: SyntaxNode[];
    if (formatArgs !== undefined) {
      if (formatArgs === "keywords") return false;
      args = formatArgs;
    } else {
      const fn = call.childForFieldName("function");
      const f = fn ? unparenthesize(fn) : null;
      if (!f || f.type !== "attribute") return false;
      const obj = f.childForFieldName("object");
      const attr = f.childForFieldName("attribute");
      if (!obj || !attr || !isStrConstant(obj, this.source) || nodeText(attr, this.source) !== "format") return false;
      const argList = call.childForFieldName("arguments");
      const items = argList ? argList.namedChildren.filter((c) => c.type !== "comment") : [];
      if (items.some((c) => c.type === "keyword_argument" || c.type === "dictionary_splat")) return false;
      // `*[a, b]` / `*(a, b)` contribute their elements; any other `*x` stays and is unsafe.
      args = [];
      for (const item of items) {
        const inner = item.type === "list_splat" ? unparenthesize(item.namedChildren[0] ?? item) : null;
        if (inner && (inner.type === "list" || inner.type === "tuple")) args.push(...inner.namedChildren.filter((c) => c.type !== "comment"));
        else args.push(item);
      }
    }
    let safe = 0;
    for (const a of args) {
      const v = unparenthesize(a);
      if (isStrConstant(v, this.source)) safe++;
      else if (v.type === "identifier" && this.evaluateVar(nodeText(v, this.source), scope, call.startPosition.row + 1, depth + 1)) safe++;
      else if (v.type === "call" && this.evaluateCall(v, scope, depth + 1)) safe++;
      else break;
    }
    return safe === args.length;
  }
}

/** Bandit stops a plugin that raises; such a call reports nothing. */
class PluginFailure extends Error {}

function enclosingScope(node: SyntaxNode): SyntaxNode {
  for (const a of ancestorsOf(node).ancestors) if (a.type === "module" || isSyncFunctionDef(a)) return a;
  return node;
}

/** B703: django mark_safe()/SafeString on values that are not provably constant. */
export const b703DjangoMarkSafe: Rule = {
  id: "B703",
  name: "django_mark_safe",
  cwe: 80,
  severity: "MEDIUM",
  description: "django mark_safe/SafeString applied to a value not shown to be built only from string literals.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(AFFECTED),
  check(node, ctx) {
    if (!importedLike(ctx.module, node, "django.utils.safestring")) return null;
    const call = banditCall(node, ctx);
    if (!AFFECTED.includes(call.name)) return null;
    const first = call.args[0];
    const src = ctx.module.source;
    if (!first || isStrConstant(first, src)) return null;
    const hit = { severity: "MEDIUM" as const, confidence: "HIGH" as const, message: "mark_safe() on a value that may hold user input: possible XSS." };
    const ev = new XssEvaluator(src);
    const x = unparenthesize(first);
    let secure = false;
    try {
      if (x.type === "identifier") {
        const scope = enclosingScope(node);
        const name = nodeText(x, src);
        if (!ev.isParam(name, scope)) secure = ev.evaluateVar(name, scope, node.startPosition.row + 1, 0);
      } else if (x.type === "call") {
        secure = ev.evaluateCall(x, enclosingScope(node), 0);
      } else if (x.type === "binary_operator" && x.childForFieldName("operator")?.type === "%" && isStrConstant(x.childForFieldName("left")!, src)) {
        // "fmt" % values is judged like "fmt".format(values).
        const right = unparenthesize(x.childForFieldName("right")!);
        const formatArgs = right.type === "tuple" ? right.namedChildren.filter((c) => c.type !== "comment") : right.type === "dictionary" ? "keywords" : [right];
        secure = ev.evaluateCall(x, enclosingScope(node), 0, formatArgs);
      }
    } catch (e) {
      if (e instanceof PluginFailure) return null;
      throw e;
    }
    return secure ? null : hit;
  },
};
