/**
 * What a callee names, for the CWE checks: the import table's aliases, the local names bound to a
 * function or module once (`h = hashlib.md5`), and lookups by constant name
 * (`getattr(hashlib, "md5")`, `__import__("hashlib")`, `importlib.import_module("hashlib")`), which
 * Python resolves to the same object as the dotted name. A policy that writes `h(x)` or
 * `getattr(hashlib, "md5")(x)` for `hashlib.md5(x)` must meet the same check.
 */
import { dottedName, ofTypes, stringValue, unwrap, type Node } from "./ast.js";

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
  if (n.type === "call") return lookupName(n, aliases);
  if (n.type === "attribute") {
    const obj = unwrap(n.childForFieldName("object")!);
    const attr = n.childForFieldName("attribute")?.text;
    if (obj.type === "call") {
      const base = lookupName(obj, aliases);
      return base && attr ? `${base}.${attr}` : null;
    }
  }
  const dotted = dottedName(n);
  if (!dotted) return null;
  const [head, ...rest] = dotted.split(".");
  const resolved = aliases.get(head!);
  return resolved ? [resolved, ...rest].join(".") : dotted;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `getattr(m, "f")` is `m.f`; `__import__("a.b")` is `a`; `importlib.import_module("a.b")` is `a.b`. */
function lookupName(call: Node, aliases: Map<string, string>): string | null {
  const fn = call.childForFieldName("function");
  const callee = fn ? qualifiedExpression(fn, aliases) : null;
  if (callee !== "getattr" && callee !== "__import__" && callee !== "importlib.import_module") return null;
  const args = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
  if (args.some((a) => a.type === "keyword_argument" || a.type === "list_splat" || a.type === "dictionary_splat")) return null;
  if (callee === "getattr") {
    const name = args[1] ? stringValue(args[1]) : null;
    const base = args[0] ? qualifiedExpression(args[0], aliases) : null;
    return name !== null && IDENTIFIER.test(name) && base ? `${base}.${name}` : null;
  }
  const module = args[0] ? stringValue(args[0]) : null;
  if (module === null || !MODULE_PATH.test(module)) return null;
  return callee === "__import__" ? module.split(".")[0]! : module;
}

/** Builtins a check models by name (`run = open`). */
const BUILTINS = new Set(["open", "eval", "exec", "compile", "getattr", "__import__", "input", "print"]);

/** Where a name is bound other than by `name = value`: then it is not a one-binding alias. */
const OTHER_BINDINGS = ["parameters", "lambda_parameters", "function_definition", "class_definition", "for_statement", "for_in_clause", "as_pattern_target", "global_statement", "nonlocal_statement"];

/**
 * The import aliases plus each name the module binds exactly once, by `name = <callee>` where the
 * value resolves to a qualified name through the imports or a lookup (`run = os.system`,
 * `h = getattr(hashlib, "md5")`). A name bound anywhere else too (a parameter, a loop target, a
 * second assignment) is left out: which binding a use sees is then a question of scope and order.
 */
export function calleeAliases(root: Node): Map<string, string> {
  const imports = importAliases(root);
  const out = new Map(imports);
  const candidates = new Map<string, Node | null>();
  for (const a of ofTypes(root, ["assignment", "augmented_assignment", "named_expression"])) {
    const left = a.childForFieldName(a.type === "named_expression" ? "name" : "left");
    if (!left) continue;
    for (const id of left.type === "identifier" ? [left] : left.descendantsOfType("identifier")) {
      const single = a.type === "assignment" && left.type === "identifier";
      candidates.set(id.text, candidates.has(id.text) || !single ? null : a.childForFieldName("right"));
    }
  }
  if (candidates.size === 0) return out;
  const boundElsewhere = new Set<string>();
  for (const n of ofTypes(root, OTHER_BINDINGS)) {
    if (n.type === "function_definition" || n.type === "class_definition") boundElsewhere.add(n.childForFieldName("name")?.text ?? "");
    else if (n.type === "for_statement" || n.type === "for_in_clause") for (const id of n.childForFieldName("left")?.descendantsOfType("identifier") ?? []) boundElsewhere.add(id.text);
    else for (const id of n.descendantsOfType("identifier")) boundElsewhere.add(id.text);
  }
  for (const [name, value] of candidates) {
    if (!value || imports.has(name) || boundElsewhere.has(name)) continue;
    const v = unwrap(value);
    if (v.type !== "identifier" && v.type !== "attribute" && v.type !== "call") continue;
    const q = qualifiedExpression(v, imports);
    // Only what a lookup, the imports or a builtin resolve: `x = y` between locals names no callee.
    const head = dottedName(v)?.split(".")[0];
    if (q && q !== name && (v.type === "call" || (head !== undefined && (imports.has(head) || BUILTINS.has(head))))) out.set(name, q);
  }
  return out;
}


