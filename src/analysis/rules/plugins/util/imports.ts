import type { ParsedModule, SyntaxNode } from "../../../python/index.js";

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
