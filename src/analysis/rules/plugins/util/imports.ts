import type { ParsedModule, SyntaxNode } from "../../../python/index.js";
import { callQualName, qualifiedName, unparenthesize } from "../../../python/index.js";

/**
 * Bandit fills `context.imports` while it walks the file, so `is_module_imported_like/exact`
 * only see imports that come before the node being checked (in source order, nested imports
 * included). This keeps that order: each imported name with the offset of its statement.
 */
interface Imported {
  index: number;
  name: string;
}

const cache = new WeakMap<ParsedModule, Imported[]>();

function importedNames(module: ParsedModule): Imported[] {
  let list = cache.get(module);
  if (list) return list;
  list = [];
  for (const stmt of module.imports.statements) {
    const index = stmt.node.startIndex;
    for (const { name } of stmt.names) {
      if (stmt.kind === "import" || stmt.module === null) list.push({ index, name });
      else list.push({ index, name: `${stmt.module}.${name}` });
    }
  }
  list.sort((a, b) => a.index - b.index);
  cache.set(module, list);
  return list;
}

function startOf(node: SyntaxNode): number {
  return node.startIndex;
}

/** `context.is_module_imported_like(module)` at `node`: some earlier import contains `module`. */
export function importedLike(module: ParsedModule, node: SyntaxNode, name: string): boolean {
  const names = importedNames(module);
  if (names.length === 0) return false;
  const at = startOf(node);
  for (const i of names) {
    if (i.index >= at) break;
    if (i.name.includes(name)) return true;
  }
  return false;
}

/** `context.is_module_imported_exact(module)` at `node`. */
export function importedExact(module: ParsedModule, node: SyntaxNode, name: string): boolean {
  const names = importedNames(module);
  if (names.length === 0) return false;
  const at = startOf(node);
  for (const i of names) {
    if (i.index >= at) break;
    if (i.name === name) return true;
  }
  return false;
}

/**
 * Is `module` imported before `node` in any form (`import m`, `import m as x`, `from m import f as g`,
 * `from m import *`)? The rules whose Bandit original asks `is_module_imported_exact` use this
 * instead, so `from yaml import load as L` counts as much as `import yaml` (Bandit 1.6.2 misses
 * the other forms; docs/rules.md lists the rules that differ this way).
 */
export function importsModule(module: ParsedModule, node: SyntaxNode, name: string): boolean {
  return module.imports.importsModule(name, node.startIndex);
}

// A name the module binds itself (def, class, assignment, for/with/except target): a
// star import cannot be what it refers to. Textual and conservative: any binding spelling counts.
// The spellings are collected in one pass over the source per module: a search of the whole
// source per call made a 2 MB file quadratic (16 s, most of it in this regex).
const BOUND_AFTER_KEYWORD = /\b(?:def|class|as|for|global|nonlocal)\s+([A-Za-z0-9_]+)\b/g;
const BOUND_BY_ASSIGNMENT = /\b([A-Za-z0-9_]+)\s*(?::[^=\n]*)?=(?!=)/g;
const boundNames = new WeakMap<ParsedModule, Set<string>>();

function bindsName(module: ParsedModule, name: string): boolean {
  const n = name.replace(/[^A-Za-z0-9_]/g, "");
  // Names beyond ASCII are rare: searched for one by one, as the spelling rules above read them.
  if (n !== name) return new RegExp(`(?:\\b(?:def|class|as|for|global|nonlocal)\\s+${n}\\b|\\b${n}\\s*(?::[^=\\n]*)?=(?!=))`).test(module.source);
  let names = boundNames.get(module);
  if (!names) {
    names = new Set<string>();
    collectMatches(BOUND_AFTER_KEYWORD, module.source, names);
    collectMatches(BOUND_BY_ASSIGNMENT, module.source, names);
    boundNames.set(module, names);
  }
  return names.has(n);
}

// Every match, overlapping ones included: the next search starts at the captured name (after it
// when the match begins there), so `x: y = 1` records `x` and then `y`, and `for as x` both names,
// as a search for any one name alone would find it.
function collectMatches(pattern: RegExp, source: string, into: Set<string>): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
    const name = m[1]!;
    into.add(name);
    const nameAt = pattern === BOUND_BY_ASSIGNMENT ? m.index : m.index + m[0].length - name.length;
    pattern.lastIndex = nameAt > m.index ? nameAt : nameAt + name.length;
  }
}

/**
 * The qualified name of a call's callee through every import form, in one place: aliases
 * (`import m as x`, `from m import f as g`, resolved by callQualName as Bandit does) and star
 * imports (`from m import *; f()` -> `m.f`, which Bandit does not resolve), unless the module
 * binds the bare name itself.
 */
export function resolvedCallName(module: ParsedModule, call: SyntaxNode): string {
  const qual = callQualName(call, module);
  if (qual === "" || qual.includes(".")) return qual;
  const star = module.imports.resolveStar(qual, call.startIndex);
  return star !== undefined && !bindsName(module, qual) ? star : qual;
}

/**
 * The qualified name a Name/Attribute expression refers to through every import form (`L` after
 * `from yaml import SafeLoader as L` -> `yaml.SafeLoader`), or null for other expressions.
 */
export function resolvedName(module: ParsedModule, expr: SyntaxNode): string | null {
  const n = unparenthesize(expr);
  if (n.type !== "identifier" && n.type !== "attribute") return null;
  const qual = qualifiedName(n, module);
  if (qual === null || qual.includes(".")) return qual;
  const star = module.imports.resolveStar(qual, n.startIndex);
  return star !== undefined && !bindsName(module, qual) ? star : qual;
}
