/**
 * The two import spellings, rewritten into one another (module-level imports only):
 *
 * - `import x` (or `import a.b`, `import a.b as x`) used only as `x.y` becomes
 *   `from x import y as x_y` and each `x.y` becomes `x_y`: the same object, looked up once at
 *   import time instead of at each use (the same unless someone reassigns the module attribute,
 *   which the rewrite checks the file never does).
 * - `from x import y [as z]` becomes `import x` and each use of `z` becomes `x.y`, where `y` is
 *   known not to be a submodule (`import x` alone would not load it), `x` is bound by nothing else
 *   and `z` is never rebound.
 */
import type { SyntaxNode } from "../python/index.js";
import { applyEdits, replaceNode, type Edit } from "./edits.js";
import { freshNames, identifiersIn, isNameReference, Scopes } from "./scopes.js";
import type { Transform } from "./types.js";

const TARGET_PARENTS = new Set(["assignment", "augmented_assignment", "for_statement", "for_in_clause", "delete_statement", "as_pattern_target", "pattern_list", "tuple_pattern", "list_pattern"]);

/** Is `node` written to (an assignment, augmented assignment, for or del target)? */
function isTarget(node: SyntaxNode): boolean {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (TARGET_PARENTS.has(p.type)) return p.type === "pattern_list" || p.type === "tuple_pattern" || p.type === "list_pattern" || p.type === "delete_statement" || p.type === "as_pattern_target" || child.field === "left";
    if (p.type !== "tuple" && p.type !== "list" && p.type !== "parenthesized_expression" && p.type !== "expression_list") return false;
  }
  return false;
}

/** Every name reference in the module that resolves to the module-level binding of `name`. */
function moduleUses(scopes: Scopes, root: SyntaxNode, name: string, except: SyntaxNode): SyntaxNode[] | null {
  const out: SyntaxNode[] = [];
  for (const id of root.descendantsOfType("identifier")) {
    if (id.text !== name || id.startIndex === except.startIndex || !isNameReference(id)) continue;
    if (id.parent?.type === "global_statement") return null;
    if (scopes.resolve(id) === scopes.module) out.push(id);
  }
  return out;
}

function moduleRebinds(scopes: Scopes, name: string): boolean {
  if ((scopes.module.bound.get(name)?.length ?? 0) !== 1) return true;
  return scopes.allScopes().some((s) => s.globals.has(name));
}

export const importToFrom: Transform = (mod) => {
  const root = mod.root;
  const scopes = new Scopes(root);
  const fresh = identifiersIn(root);
  const edits: Edit[] = [];
  for (const stmt of root.namedChildren) {
    if (stmt.type !== "import_statement") continue;
    const names = stmt.childrenForFieldName("name");
    if (names.length !== 1) continue;
    const item = names[0]!;
    const path = item.type === "aliased_import" ? item.childForFieldName("name") : item;
    const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
    if (!path) continue;
    const parts = path.namedChildren.map((c) => c.text);
    const bound = alias ?? path.namedChildren[0]!;
    if (moduleRebinds(scopes, bound.text)) continue;
    const uses = moduleUses(scopes, root, bound.text, bound);
    if (!uses || uses.length === 0) continue;
    // Each use must spell the whole imported path and then one attribute: `a.b.c.attr`.
    const depth = alias ? 1 : parts.length;
    const replaced: Array<{ node: SyntaxNode; attr: string }> = [];
    let ok = true;
    for (const use of uses) {
      let node = use;
      for (let i = 1; i < depth && ok; i++) {
        const p = node.parent;
        if (p?.type !== "attribute" || node.field !== "object" || p.childForFieldName("attribute")?.text !== parts[i]) ok = false;
        else node = p;
      }
      const top = node.parent;
      if (!ok || top?.type !== "attribute" || node.field !== "object" || isTarget(top)) {
        ok = false;
        break;
      }
      replaced.push({ node: top, attr: top.childForFieldName("attribute")!.text });
    }
    if (!ok) continue;
    const aliases = new Map<string, string>();
    for (const { attr } of replaced) {
      if (aliases.has(attr)) continue;
      const base = `${bound.text}_${attr}`;
      aliases.set(attr, fresh.has(base) ? freshNames(fresh, `${base}_`)() : base);
      fresh.add(aliases.get(attr)!);
    }
    edits.push(replaceNode(stmt, `from ${parts.join(".")} import ${[...aliases].map(([a, z]) => `${a} as ${z}`).join(", ")}`));
    for (const { node, attr } of replaced) edits.push(replaceNode(node, aliases.get(attr)!));
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};

export const fromToImport: Transform = (mod, options) => {
  const root = mod.root;
  const scopes = new Scopes(root);
  const references = new Set(root.descendantsOfType("identifier").filter(isNameReference).map((i) => i.text));
  const edits: Edit[] = [];
  const imported = new Set<string>();
  for (const stmt of root.namedChildren) {
    if (stmt.type !== "import_from_statement") continue;
    const module = stmt.childForFieldName("module_name");
    if (module?.type !== "dotted_name" || module.text === "__future__") continue;
    if (stmt.namedChildren.some((c) => c.type === "wildcard_import")) continue;
    const top = module.namedChildren[0]!.text;
    // `import a.b` binds `a`: nothing else may use that name, unless it is this same import.
    if ((references.has(top) || scopes.module.bound.has(top)) && !imported.has(top)) continue;
    const stmtEdits: Edit[] = [];
    let ok = true;
    for (const item of stmt.childrenForFieldName("name")) {
      const name = item.type === "aliased_import" ? item.childForFieldName("name") : item;
      const bound = item.type === "aliased_import" ? item.childForFieldName("alias") : name?.namedChildren[0];
      if (!name || !bound || name.namedChildren.length !== 1 || options.isSubmodule?.(module.text, name.text) !== false || moduleRebinds(scopes, bound.text)) {
        ok = false;
        break;
      }
      const uses = moduleUses(scopes, root, bound.text, bound);
      if (!uses || uses.some(isTarget)) {
        ok = false;
        break;
      }
      for (const u of uses) stmtEdits.push(replaceNode(u, `${module.text}.${name.text}`));
    }
    if (!ok) continue;
    imported.add(top);
    edits.push(replaceNode(stmt, `import ${module.text}`), ...stmtEdits);
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
