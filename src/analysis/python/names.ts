import type { ImportTable } from "./imports.js";
import type { SyntaxNode } from "./source.js";
import { nodeText } from "./source.js";
import { unparenthesize } from "./walk.js";

/** What name resolution needs from a parsed module. */
export interface NameScope {
  source: string;
  imports: ImportTable;
}

/**
 * Bandit's `_get_attr_qual_name`: resolve a Name/Attribute chain through import aliases, trying the
 * alias table at every prefix (`sp.Popen` -> `subprocess.Popen`, `p.join` -> `os.path.join`).
 * Anything else in the chain (a call, a subscript) yields "" for that part, so `f().read` gives
 * ".read", exactly as Bandit does.
 */
function banditQualName(node: SyntaxNode, scope: NameScope, at: number): string {
  const n = unparenthesize(node);
  if (n.type === "identifier") {
    const id = nodeText(n, scope.source);
    return scope.imports.resolve(id, at) ?? id;
  }
  if (n.type === "attribute") {
    const obj = n.childForFieldName("object");
    const attr = n.childForFieldName("attribute");
    if (!obj || !attr) return "";
    const name = `${banditQualName(obj, scope, at)}.${nodeText(attr, scope.source)}`;
    return scope.imports.resolve(name, at) ?? name;
  }
  return "";
}

/**
 * Fully qualified name of a Name/Attribute expression (`subprocess.Popen` for `sp.Popen` after
 * `import subprocess as sp`), or null when the chain does not start at a plain name.
 */
export function qualifiedName(expr: SyntaxNode, scope: NameScope): string | null {
  const q = banditQualName(expr, scope, expr.startIndex);
  return q === "" || q.startsWith(".") || q.includes("..") ? null : q;
}

/** The callee expression of a `call` node. */
export function callee(call: SyntaxNode): SyntaxNode | null {
  return call.childForFieldName("function");
}

/**
 * Bandit's `context.call_function_name_qual` for a call node: the resolved dotted name, "" when the
 * callee is neither a name nor an attribute, ".attr" forms when the chain starts at an expression.
 */
export function callQualName(call: SyntaxNode, scope: NameScope): string {
  const fn = callee(call);
  if (!fn) return "";
  const type = fn.type;
  if (type === "identifier" || type === "attribute") {
    // Fast path: a callee written as plain dotted identifiers (`os.path.join`, the usual case)
    // resolves from its text alone, without visiting each attribute node.
    const text = nodeText(fn, scope.source);
    if (PLAIN_DOTTED.test(text)) return resolveDotted(text, scope, call.startIndex);
  }
  const f = unparenthesize(fn);
  if (f.type !== "identifier" && f.type !== "attribute") return "";
  return banditQualName(f, scope, call.startIndex);
}

// ASCII identifiers joined by dots, nothing else (no spaces, comments, parentheses or calls).
const PLAIN_DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** banditQualName over the parts of a plain dotted name: alias lookup at every prefix. */
function resolveDotted(text: string, scope: NameScope, at: number): string {
  const parts = text.split(".");
  let q = parts[0]!;
  q = scope.imports.resolve(q, at) ?? q;
  for (let i = 1; i < parts.length; i++) {
    const name = `${q}.${parts[i]!}`;
    q = scope.imports.resolve(name, at) ?? name;
  }
  return q;
}

/** Bandit's `context.call_function_name`: the last part of the qualified call name. */
export function callShortName(call: SyntaxNode, scope: NameScope): string {
  const q = callQualName(call, scope);
  const dot = q.lastIndexOf(".");
  return dot < 0 ? q : q.slice(dot + 1);
}

/** The dotted text of a Name/Attribute chain without alias resolution (`self.db.execute`). */
export function dottedText(expr: SyntaxNode, source: string): string | null {
  const n = unparenthesize(expr);
  if (n.type === "identifier") return nodeText(n, source);
  if (n.type === "attribute") {
    const obj = n.childForFieldName("object");
    const attr = n.childForFieldName("attribute");
    if (!obj || !attr) return null;
    const head = dottedText(obj, source);
    return head === null ? null : `${head}.${nodeText(attr, source)}`;
  }
  return null;
}
