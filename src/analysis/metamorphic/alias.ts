/**
 * Aliased callees: a call of an imported function (`os.system(cmd)`, `hashlib.md5(x)`, `system(c)`
 * after `from os import system`) or of a builtin that runs or opens something (`eval`, `exec`,
 * `open`) calls it through a fresh name bound just before the statement: `c1 = os.system` then
 * `c1(cmd)`. The name is bound in the same scope the call runs in, to the object the callee
 * expression evaluates to there, so the call is the same call. Not applied where the binding would
 * land in another scope or another line layout: calls inside a lambda, nested function or
 * comprehension of the statement, statements of a class body (comprehensions there cannot see
 * class-level names), and statements that do not start their line (`a; b`, `if x: b`).
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, indentOf, replaceNode, type Edit } from "./edits.js";
import { freshNames, identifiersIn } from "./scopes.js";
import type { Transform } from "./types.js";

const BUILTIN_CALLEES = new Set(["eval", "exec", "open", "compile"]);
const OWN_SCOPES = new Set(["lambda", "function_definition", "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The statement the call runs in, when the alias can be bound right before it in the same scope. */
function statementOf(call: SyntaxNode): SyntaxNode | null {
  for (let x: SyntaxNode | null = call; x; x = x.parent) {
    const p = x.parent;
    if (!p) return null;
    if (p.type === "block" || p.type === "module") {
      if (p.type === "block" && p.parent?.type === "class_definition") return null;
      return x;
    }
    if (OWN_SCOPES.has(p.type) && x.field !== "decorator") {
      // The call's own scope is nested in the statement (a lambda body, a comprehension), unless
      // it is evaluated where the definition stands (a default value, a decorator).
      if (p.type === "function_definition" && x.field === "parameters") continue;
      return null;
    }
  }
  return null;
}

export const aliasCallees: Transform = (mod) => {
  const fresh = freshNames(identifiersIn(mod.root), "c");
  const before = new Map<SyntaxNode, string[]>();
  const edits: Edit[] = [];
  for (const call of mod.root.descendantsOfType("call")) {
    const fn = call.childForFieldName("function");
    if (!fn || (fn.type !== "identifier" && fn.type !== "attribute") || !DOTTED.test(fn.text)) continue;
    const head = fn.text.split(".")[0]!;
    if (!mod.imports.bindsName(head, call.startIndex) && !(fn.type === "identifier" && BUILTIN_CALLEES.has(head))) continue;
    const stmt = statementOf(call);
    if (!stmt || (indentOf(mod.source, stmt) === "" && mod.source.lastIndexOf("\n", stmt.startIndex - 1) + 1 !== stmt.startIndex)) continue;
    const name = fresh();
    const lines = before.get(stmt) ?? [];
    lines.push(`${name} = ${fn.text}`);
    before.set(stmt, lines);
    edits.push(replaceNode(fn, name));
  }
  for (const [stmt, lines] of before) {
    const indent = indentOf(mod.source, stmt);
    edits.push({ start: stmt.startIndex, end: stmt.startIndex, text: lines.map((l) => `${l}\n${indent}`).join("") });
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
