/**
 * Neutral names: every local, parameter, comprehension variable and module-level helper function
 * gets a name that says nothing (`v1`, `fn1`), by alpha-renaming over Python's scope rules.
 *
 * Kept as they are, because something outside the renamed scope can see them: the task's entry
 * function and its parameters (the caller passes them by keyword); parameters of decorated
 * functions (frameworks pass them by keyword), of functions called with `**`, any name some call
 * passes as a keyword argument, a method's receiver (`self`/`cls` by convention); names bound by
 * imports; dunders; everything in a scope that reads names as strings (locals(), eval, ...); class
 * attributes; module variables; helpers whose name appears in a string (getattr, __all__).
 */
import { type SyntaxNode } from "../python/index.js";
import { applyEdits, replaceNode, type Edit } from "./edits.js";
import { freshNames, identifiersIn, isNameReference, Scopes, type Scope } from "./scopes.js";
import type { Transform } from "./types.js";

function isDunder(name: string): boolean {
  return name.startsWith("__");
}

function definitionOf(fn: SyntaxNode): SyntaxNode {
  return fn.parent?.type === "decorated_definition" ? fn.parent : fn;
}

function isMethod(fn: SyntaxNode): boolean {
  const block = definitionOf(fn).parent;
  return block?.type === "block" && block.parent?.type === "class_definition";
}

/** Names of functions some call passes `**mapping` to (their parameters are chosen by string). */
function splatCalled(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const call of root.descendantsOfType("call")) {
    const args = call.childForFieldName("arguments");
    if (!args?.namedChildren.some((a) => a.type === "dictionary_splat")) continue;
    const f = call.childForFieldName("function");
    const name = f?.type === "attribute" ? f.childForFieldName("attribute")?.text : f?.text;
    if (name) out.add(name);
  }
  return out;
}

function stringContents(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const s of root.descendantsOfType("string_content")) out.add(s.text);
  return out;
}

export const renameNeutral: Transform = (mod, options) => {
  const root = mod.root;
  const scopes = new Scopes(root);
  const used = identifiersIn(root);
  const nextVar = freshNames(used, "v");
  const nextFn = freshNames(used, "fn");
  const keywords = new Set(root.descendantsOfType("keyword_argument").map((k) => k.childForFieldName("name")?.text ?? ""));
  const splat = splatCalled(root);
  const entry = options.entryFunction?.split(".").pop();
  const strings = stringContents(root);
  const renames = new Map<Scope, Map<string, string>>();

  for (const scope of scopes.allScopes()) {
    if (scope.kind === "class" || scope.kind === "module" || scope.dynamic) continue;
    const fn = scope.node;
    const isDef = fn.type === "function_definition";
    const fnName = isDef ? fn.childForFieldName("name")?.text : undefined;
    const paramsFixed =
      (isDef && (fnName === entry || definitionOf(fn).type === "decorated_definition" || (fnName !== undefined && splat.has(fnName)))) || false;
    const map = new Map<string, string>();
    for (const name of scope.bound.keys()) {
      if (isDunder(name) || scope.imported.has(name) || scope.globals.has(name) || scope.nonlocals.has(name)) continue;
      const paramIndex = scope.params.indexOf(name);
      if (paramIndex >= 0) {
        if (paramsFixed || keywords.has(name)) continue;
        if (paramIndex === 0 && isDef && isMethod(fn)) continue;
      }
      map.set(name, nextVar());
    }
    if (map.size) renames.set(scope, map);
  }

  const module = scopes.module;
  if (!module.dynamic && !module.bound.has("__all__")) {
    const map = new Map<string, string>();
    for (const fn of root.descendantsOfType("function_definition")) {
      const def = definitionOf(fn);
      if (def.parent?.type !== "module" || def.type === "decorated_definition") continue;
      const name = fn.childForFieldName("name")?.text;
      if (!name || name === entry || isDunder(name) || module.imported.has(name) || strings.has(name)) continue;
      map.set(name, nextFn());
    }
    if (map.size) renames.set(module, map);
  }
  if (renames.size === 0) return null;

  const edits: Edit[] = [];
  for (const id of root.descendantsOfType("identifier")) {
    if (!isNameReference(id)) continue;
    const scope = scopes.resolve(id);
    const to = scope && renames.get(scope)?.get(id.text);
    if (to) edits.push(replaceNode(id, to));
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
