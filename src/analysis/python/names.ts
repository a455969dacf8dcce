import { ALIASABLE_BUILTINS, calleeAliasValues, LOOKUP_TYPES, lookupName, throughLookup } from "./callee-aliases.js";
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
  let q = dottedCallName(call, scope);
  // Beyond Bandit: `os.system.__call__(cmd)` calls os.system; `builtins.eval(x)` and
  // `__builtins__.eval(x)` call the builtin `eval`.
  while (q.endsWith(".__call__")) q = q.slice(0, -".__call__".length);
  const builtin = BUILTIN_MEMBER.exec(q);
  return builtin ? builtin[1]! : q;
}

const BUILTIN_MEMBER = /^(?:builtins|__builtins__)\.([A-Za-z_][A-Za-z0-9_]*)$/;

function dottedCallName(call: SyntaxNode, scope: NameScope): string {
  const fn = callee(call);
  if (!fn) return "";
  const type = fn.type;
  if (type === "identifier" || type === "attribute") {
    // Fast path: a callee written as plain dotted identifiers (`os.path.join`, the usual case)
    // resolves from its text alone, without visiting each attribute node.
    const text = nodeText(fn, scope.source);
    if (PLAIN_DOTTED.test(text)) {
      const head = text.includes(".") ? text.slice(0, text.indexOf(".")) : text;
      const aliased = aliasedCallee(head, call, scope);
      return aliased === null ? resolveDotted(text, scope, call.startIndex) : aliased + text.slice(head.length);
    }
  }
  const f = unparenthesize(fn);
  // Beyond Bandit: `getattr(os, "system")(cmd)` and `globals()["os"].system(cmd)` call os.system
  // (docs/rules.md).
  const looked = lookupQualName(f, scope, f.startIndex);
  if (looked !== null || LOOKUP_TYPES.has(f.type)) return looked ?? "";
  if (f.type !== "identifier" && f.type !== "attribute") return "";
  return banditQualName(f, scope, call.startIndex);
}

/**
 * A lookup by constant name (python/callee-aliases.ts), or an attribute chain that starts at one
 * (`__import__("os").path.join`), as the dotted name it reaches; null for anything else.
 */
function lookupQualName(n: SyntaxNode, scope: NameScope, at: number, depth = 0): string | null {
  if (depth > MAX_ALIAS_DEPTH) return null;
  return throughLookup(n, (head) =>
    lookupName(
      head,
      scope.source,
      (x) => plainQualName(x, scope, at, depth + 1),
      undefined,
      (name) => resolveDotted(name, scope, at),
    ),
  );
}

/**
 * Beyond Bandit: a callee named by a name the module binds once to an imported function, a
 * builtin or a lookup by constant name (`run = os.system`, python/callee-aliases.ts) is what that
 * value names, as Python calls it. Null when `head` is no such name (or the imports bind it).
 */
function aliasedCallee(head: string, call: SyntaxNode, scope: NameScope, depth = 0): string | null {
  if (depth > MAX_ALIAS_DEPTH || scope.imports.bindsName(head, call.startIndex)) return null;
  const value = calleeAliasValues(call.tree.rootNode).get(head);
  if (!value) return null;
  const looked = lookupQualName(value, scope, value.startIndex, depth + 1);
  if (looked !== null || LOOKUP_TYPES.has(value.type)) return looked;
  const text = nodeText(value, scope.source);
  const valueHead = text.split(".")[0]!;
  if (!scope.imports.bindsName(valueHead, value.startIndex) && !ALIASABLE_BUILTINS.has(valueHead)) return null;
  return resolveDotted(text, scope, value.startIndex);
}

/** A plain dotted name resolved through the imports, or a lookup by constant name; else null. */
function plainQualName(node: SyntaxNode, scope: NameScope, at: number, depth = 0): string | null {
  const n = unparenthesize(node);
  const looked = lookupQualName(n, scope, at, depth + 1);
  if (looked !== null || LOOKUP_TYPES.has(n.type)) return looked;
  const text = nodeText(n, scope.source);
  if ((n.type !== "identifier" && n.type !== "attribute") || !PLAIN_DOTTED.test(text)) return null;
  const head = text.includes(".") ? text.slice(0, text.indexOf(".")) : text;
  const aliased = aliasedCallee(head, n, scope, depth + 1);
  return aliased === null ? resolveDotted(text, scope, at) : aliased + text.slice(head.length);
}

// Aliases of aliases (`load = importlib.import_module` then `m = load("os")`) are followed this
// deep; a cycle (`x = getattr(x, "a")`) ends here.
const MAX_ALIAS_DEPTH = 8;

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
