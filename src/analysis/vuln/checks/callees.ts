/**
 * What a callee names, for the CWE checks: the import table's aliases, the local names bound to a
 * function or module once (`h = hashlib.md5`), and lookups by constant name
 * (`getattr(hashlib, "md5")`, `__import__("hashlib")`, `importlib.import_module("hashlib")`), which
 * Python resolves to the same object as the dotted name. A policy that writes `h(x)` or
 * `getattr(hashlib, "md5")(x)` for `hashlib.md5(x)` must meet the same check.
 */
import { ALIASABLE_BUILTINS, calleeAliasValues, LOOKUP_TYPES, lookupHead, lookupName, throughLookup } from "../../python/index.js";
import { dottedName, ofTypes, unwrap, type Node } from "./ast.js";

function lookupOf(lookup: Node, aliases: Map<string, string>): string | null {
  const qualifyName = (name: string) => aliases.get(name) ?? name;
  return lookupName(lookup, lookup.tree.source, (n) => qualifiedExpression(n, aliases), undefined, qualifyName);
}

/** Import aliases of a module: local name -> qualified name (`h` -> `hashlib`, `md5` -> `hashlib.md5`). */
export function importAliases(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of ofTypes(root, ["import_statement", "import_from_statement"])) {
    if (n.type === "import_statement") {
      for (const c of n.namedChildren) {
        if (c.type === "dotted_name") out.set(c.text.split(".")[0]!, c.text.split(".")[0]!);
        else if (c.type === "aliased_import") {
          const name = c.childForFieldName("name")?.text;
          const alias = c.childForFieldName("alias")?.text;
          if (name && alias) out.set(alias, name);
        }
      }
    } else if (n.type === "import_from_statement") {
      const mod = n.childForFieldName("module_name")?.text;
      if (!mod) continue;
      for (const c of n.namedChildren) {
        if (c.id === n.childForFieldName("module_name")?.id) continue;
        if (c.type === "dotted_name") out.set(c.text, `${mod}.${c.text}`);
        else if (c.type === "aliased_import") {
          const name = c.childForFieldName("name")?.text;
          const alias = c.childForFieldName("alias")?.text;
          if (name && alias) out.set(alias, `${mod}.${name}`);
        }
      }
    }
  }
  return out;
}

/** Fully qualified callee name, resolving the first segment through the module's aliases. */
export function qualifiedCallee(call: Node, aliases: Map<string, string>): string | null {
  const fn = call.childForFieldName("function");
  return fn ? qualifiedExpression(fn, aliases) : null;
}

/** The qualified name an identifier, attribute chain or constant-name lookup denotes, else null. */
function qualifiedExpression(node: Node, aliases: Map<string, string>): string | null {
  const n = unwrap(node);
  if (LOOKUP_TYPES.has(lookupHead(n).type)) return throughLookup(n, (head) => lookupOf(head, aliases));
  const dotted = dottedName(n);
  if (!dotted) return null;
  const [head, ...rest] = dotted.split(".");
  const resolved = aliases.get(head!);
  return resolved ? [resolved, ...rest].join(".") : dotted;
}

/**
 * The import aliases plus each name the module binds once to a callee (python/callee-aliases.ts)
 * whose value resolves through a lookup, the imports or a builtin (`run = os.system`,
 * `h = getattr(hashlib, "md5")`); `x = y` between two locals names no callee.
 */
export function calleeAliases(root: Node): Map<string, string> {
  const imports = importAliases(root);
  const out = new Map(imports);
  for (const [name, value] of calleeAliasValues(root)) {
    if (imports.has(name)) continue;
    const q = qualifiedExpression(value, imports);
    const head = dottedName(value)?.split(".")[0];
    if (q && q !== name && (value.type === "call" || (head !== undefined && (imports.has(head) || ALIASABLE_BUILTINS.has(head))))) out.set(name, q);
  }
  return out;
}
