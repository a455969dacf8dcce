import { callArgs } from "./calls.js";
import { stringValue } from "./literals.js";
import type { SyntaxNode } from "./source.js";
import { unparenthesize } from "./walk.js";

/**
 * Names a module binds exactly once, by `name = <value>`, to something a call can go through: a
 * dotted name (`run = os.system`, `weak = hashlib.md5`) or a lookup by constant name
 * (`shell = importlib.import_module("os")`). `run(cmd)` then calls what the value names, as Python
 * does; each analysis resolves the value with its own import rules. A name bound anywhere else too
 * (a parameter, a def or class, a loop or `with` target, `global`, a second assignment, an
 * augmented assignment, a walrus) is left out: which binding a use sees is then a matter of scope
 * and order.
 */
export function calleeAliasValues(root: SyntaxNode): ReadonlyMap<string, SyntaxNode> {
  const table = root.tree.memoTable<ReadonlyMap<string, SyntaxNode>>(MEMO);
  let out = table.get(root.id);
  if (!out) table.set(root.id, (out = collect(root)));
  return out;
}

const MEMO = {};

/** Builtins the analyses model by name, which a callee alias may name (`run = eval`). */
export const ALIASABLE_BUILTINS: ReadonlySet<string> = new Set(["open", "eval", "exec", "compile", "getattr", "__import__", "input", "print"]);
const PLAIN_DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const OTHER_BINDINGS = ["parameters", "lambda_parameters", "function_definition", "class_definition", "for_statement", "for_in_clause", "as_pattern_target", "global_statement", "nonlocal_statement", "augmented_assignment", "named_expression"];

const FUNCTION_SCOPES = new Set(["function_definition", "lambda"]);

/** The function or lambda whose scope `node` is in (the module: -1); parameters bind in their own. */
function scopeOf(node: SyntaxNode): number {
  for (let x = node.parent; x; x = x.parent) if (FUNCTION_SCOPES.has(x.type)) return x.id;
  return -1;
}

function collect(root: SyntaxNode): ReadonlyMap<string, SyntaxNode> {
  const candidates = new Map<string, SyntaxNode | null>();
  // Every binding's scope, for telling a builtin from a name the code binds where the alias is.
  const boundIn = new Map<string, Set<number>>();
  const bind = (name: string, scope: number) => {
    let set = boundIn.get(name);
    if (!set) boundIn.set(name, (set = new Set()));
    set.add(scope);
  };
  for (const a of root.descendantsOfType("assignment")) {
    const left = a.childForFieldName("left");
    if (!left) continue;
    const scope = scopeOf(a);
    if (left.type !== "identifier") {
      for (const id of left.descendantsOfType("identifier")) {
        candidates.set(id.text, null);
        bind(id.text, scope);
      }
      continue;
    }
    const value = a.childForFieldName("right");
    candidates.set(left.text, candidates.has(left.text) || !value ? null : unparenthesize(value));
    bind(left.text, scope);
  }
  const out = new Map<string, SyntaxNode>();
  if (![...candidates.values()].some((v) => v !== null)) return out;
  const elsewhere = new Set<string>();
  for (const n of root.descendantsOfType(OTHER_BINDINGS)) {
    const names =
      n.type === "function_definition" || n.type === "class_definition" || n.type === "named_expression"
        ? [n.childForFieldName("name")?.text ?? ""]
        : n.type === "for_statement" || n.type === "for_in_clause" || n.type === "augmented_assignment"
          ? (n.childForFieldName("left")?.descendantsOfType("identifier") ?? []).map((id) => id.text)
          : n.descendantsOfType("identifier").map((id) => id.text);
    // Parameters bind in their function; everything else in the scope the statement is in.
    const scope = n.type === "parameters" || n.type === "lambda_parameters" ? (n.parent?.id ?? -1) : scopeOf(n);
    for (const name of names) {
      elsewhere.add(name);
      bind(name, scope);
    }
  }
  for (const [name, value] of candidates) {
    if (!value || elsewhere.has(name)) continue;
    // A bare name bound where the alias is, or around it (`def eval(...)`, a parameter `open`),
    // is that binding, not the builtin.
    if (value.type === "identifier" && boundAround(value, boundIn.get(value.text))) continue;
    if (LOOKUP_TYPES.has(lookupHead(value).type) || ((value.type === "identifier" || value.type === "attribute") && PLAIN_DOTTED.test(value.text) && value.text !== name)) out.set(name, value);
  }
  return out;
}

function boundAround(use: SyntaxNode, scopes: Set<number> | undefined): boolean {
  if (!scopes) return false;
  if (scopes.has(-1)) return true;
  for (let x = use.parent; x; x = x.parent) if (FUNCTION_SCOPES.has(x.type) && scopes.has(x.id)) return true;
  return false;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What a lookup by constant name returns, by name: `getattr(os, "system")` is `os.system`,
 * `__import__("a.b")` is `a` (the top-level package), `importlib.import_module("a.b")` is `a.b`.
 * A namespace read as a dict by a constant key is the same lookup: `vars(os)["system"]`,
 * `os.__dict__["system"]` and `.get("system")` on either are `os.system`; `globals()["os"]` (and
 * `vars()`, `locals()`) is the module's own name `os`; `sys.modules["os"]` is the module `os`;
 * `__builtins__["eval"]` is `builtins.eval`.
 * `qualify` names an expression the caller's way (its import rules), `qualifyName` a name the
 * module binds as if written there (by default the name itself), `text` reads a constant string
 * (by default `foldedString`; the taint engine also follows local names); null for anything else
 * and for computed names.
 */
export function lookupName(
  node: SyntaxNode,
  source: string,
  qualify: (n: SyntaxNode) => string | null,
  text: (n: SyntaxNode) => string | null = (n) => foldedString(n, source),
  qualifyName: (name: string) => string | null = (name) => name,
): string | null {
  if (node.type === "subscript") {
    const keys = node.childrenForFieldName("subscript");
    const value = node.childForFieldName("value");
    return keys.length === 1 && value ? namespaceMember(unparenthesize(value), text(keys[0]!), qualify, qualifyName) : null;
  }
  if (node.type !== "call") return null;
  const fn = node.childForFieldName("function");
  const f = fn ? unparenthesize(fn) : null;
  if (!f) return null;
  // `namespace.get(key)` and `namespace.get(key, default)`
  const isGet = f.type === "attribute" && f.childForFieldName("attribute")?.text === "get";
  const callee = isGet ? null : qualify(f);
  // A namespace's `get` reached through a name (`get = os.__dict__.get`, `from os import __dict__`).
  const boundGet = callee?.endsWith(".get") ? callee.slice(0, -".get".length) : null;
  if (!isGet && boundGet === null && callee !== "getattr" && callee !== "__import__" && callee !== "importlib.import_module") return null;
  const args = callArgs(node, source);
  if (args.keywords.size > 0 || args.hasStarArgs || args.hasStarStarKwargs) return null;
  if (isGet || boundGet !== null) {
    if (args.positional.length !== 1 && args.positional.length !== 2) return null;
    const namespace = isGet ? unparenthesize(f.childForFieldName("object")!) : boundGet!;
    return namespaceMember(namespace, text(args.positional[0]!), qualify, qualifyName);
  }
  if (callee === "getattr") {
    const name = args.positional.length >= 2 ? text(args.positional[1]!) : null;
    const base = args.positional.length >= 2 ? qualify(args.positional[0]!) : null;
    return name !== null && IDENTIFIER.test(name) && base ? `${base}.${name}` : null;
  }
  const module = args.positional.length >= 1 ? text(args.positional[0]!) : null;
  if (module === null || !PLAIN_DOTTED.test(module)) return null;
  return callee === "__import__" ? module.split(".")[0]! : module;
}

/**
 * Whether `source` may look a name up by a string (`lookupName`): every such lookup spells one of
 * these words, at the lookup or where its function or namespace is bound (`g = getattr`,
 * `from sys import modules`). Where none occurs, a callee's name is written out in the text, which
 * text prefilters rely on (rules/plugins/util/triggers.ts); where one does, a name may be built from
 * pieces (`vars(os)["sys" + "tem"]`) that spell no callee.
 */
export function mayLookUpByString(source: string): boolean {
  return LOOKUP_WORDS.test(source);
}

const LOOKUP_WORDS = /\b(?:getattr|__import__|import_module|globals|locals|vars|__dict__|modules|__builtins__)\b/;

/** Node types a lookup by constant name can be (`lookupName` answers null for other nodes). */
export const LOOKUP_TYPES: ReadonlySet<string> = new Set(["call", "subscript"]);

/** The expression an attribute chain starts at (`x` for `x.a.b`), or the node itself. */
export function lookupHead(node: SyntaxNode): SyntaxNode {
  let head = unparenthesize(node);
  while (head.type === "attribute") head = unparenthesize(head.childForFieldName("object")!);
  return head;
}

/**
 * The dotted name a lookup by constant name reaches, or an attribute chain that starts at one
 * (`__import__("os").path.join`, `globals()["os"].system`): `resolveHead` names the lookup (the
 * caller's `lookupName`). Null for other expressions and for lookups it cannot name.
 */
export function throughLookup(node: SyntaxNode, resolveHead: (head: SyntaxNode) => string | null): string | null {
  let head = unparenthesize(node);
  let rest = "";
  while (head.type === "attribute") {
    rest = `.${head.childForFieldName("attribute")!.text}${rest}`;
    head = unparenthesize(head.childForFieldName("object")!);
  }
  if (!LOOKUP_TYPES.has(head.type)) return null;
  const base = resolveHead(head);
  return base === null ? null : base + rest;
}

/**
 * `namespace[key]` for the namespaces `lookupName` knows, given as an expression or as the dotted
 * name one resolves to (`os.__dict__` after `from os import __dict__`); null for anything else.
 */
function namespaceMember(namespace: SyntaxNode | string, key: string | null, qualify: (n: SyntaxNode) => string | null, qualifyName: (name: string) => string | null): string | null {
  if (key === null || !PLAIN_DOTTED.test(key)) return null;
  const member = IDENTIFIER.test(key);
  if (typeof namespace !== "string") {
    if (namespace.type === "call") {
      const fn = namespace.childForFieldName("function");
      const callee = fn ? qualify(unparenthesize(fn)) : null;
      const args = namespace.childForFieldName("arguments")?.namedChildren.filter((c) => c.type !== "comment") ?? [];
      if ((callee === "globals" || callee === "locals" || callee === "vars") && args.length === 0) return member ? qualifyName(key) : null;
      if (callee === "vars" && args.length === 1 && args[0]!.type !== "list_splat" && args[0]!.type !== "dictionary_splat" && args[0]!.type !== "keyword_argument") {
        const owner = qualify(unparenthesize(args[0]!));
        return owner && member ? `${owner}.${key}` : null;
      }
      return null;
    }
    // A module's `__builtins__` is the builtins module's namespace (a dict outside `__main__`).
    if (namespace.type === "identifier" && namespace.text === "__builtins__") return member ? `builtins.${key}` : null;
    if (namespace.type !== "identifier" && namespace.type !== "attribute") return null;
  }
  const q = typeof namespace === "string" ? namespace : qualify(namespace);
  if (q === "sys.modules") return key;
  if (q?.endsWith(".__dict__") && member) return `${q.slice(0, -".__dict__".length)}.${key}`;
  return null;
}

/**
 * A string constant written as literals joined by `+` (`"sys" + "tem"`), in parentheses or not;
 * null for anything else. Python folds these at compile time, so a name looked up this way is as
 * constant as one written out.
 */
export function foldedString(node: SyntaxNode, source: string, depth = 0): string | null {
  const n = unparenthesize(node);
  if (n.type === "binary_operator" && depth < MAX_FOLD_DEPTH && n.childForFieldName("operator")?.type === "+") {
    const left = foldedString(n.childForFieldName("left")!, source, depth + 1);
    const right = left === null ? null : foldedString(n.childForFieldName("right")!, source, depth + 1);
    return left === null || right === null ? null : left + right;
  }
  return stringValue(n, source);
}

/** Deeper sums are not folded: a name is a few words, and the recursion stays bounded. */
const MAX_FOLD_DEPTH = 32;
