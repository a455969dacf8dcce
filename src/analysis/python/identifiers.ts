import type { SyntaxNode } from "./source.js";

/**
 * Python reads every identifier in NFKC form (PEP 3131): `ｅｖａｌ(x)`, `𝐞𝐯𝐚𝐥(x)` and `eval(x)` are
 * the same call, `os.ｓｙｓｔｅｍ` is `os.system`, `import ｐｉｃｋｌｅ` imports pickle and
 * `ｓｈｅｌｌ=True` is the `shell` keyword. tree-sitter keeps the spelling, so every analysis that
 * compares names (callees, imports, keywords, taint models, the rules' text prefilters) would miss
 * the respelt forms, and a policy could hide any sink that way. Respelling the identifiers once,
 * before any analysis reads the module, closes that for every reader at once.
 */

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Names a respelt identifier must not become. Python matches keywords on the token as written, so
 * `ｉｆ = 1` binds a variable named "if"; written as a keyword it would not parse. Such a name can
 * only be reached through the same respelling, and no sink, source or sanitizer is called that.
 */
const KEYWORDS = new Set([
  "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
  "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
  "raise", "return", "try", "while", "with", "yield",
]);

/**
 * Names that tree-sitter may read as a keyword where Python reads the respelt name: the soft
 * keywords (`ｍａｔｃｈ[x]: int = 1` is an annotated assignment) and the constants below. The
 * caller respells them only while the file still parses.
 */
const SOFT_KEYWORDS = new Set(["match", "case", "type"]);

/**
 * `True`, `False` and `None` respelt are names, which Python looks up like any other: builtins
 * holds the constants, so `shell=Ｔｒｕｅ` runs a shell, unless the module binds the name itself
 * (`Ｔｒｕｅ = 0`). So a read of such a name is respelt as the constant only where no binding of that
 * name appears in the module; bindings, attribute names and keyword names are never respelt (as
 * keywords they would not parse).
 */
const CONSTANTS = new Set(["True", "False", "None"]);

/** Where a target can sit inside the statement that binds it: `a, [b, *c] = ...`, `del (a, b)`. */
const TARGET_CONTAINERS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "parenthesized_expression", "tuple", "list", "expression_list", "list_splat_pattern"]);
/** Parents whose identifier child (through target containers) is bound, whatever its field. */
const BINDING_PARENTS = new Set([
  "as_pattern_target", "delete_statement", "global_statement", "nonlocal_statement", "parameters", "lambda_parameters",
  "typed_parameter", "list_splat_pattern", "dictionary_splat_pattern", "splat_pattern", "keyword_pattern", "case_pattern",
]);
/** Parents whose child in this field is bound (the other fields are expressions). */
const BINDING_FIELDS: Readonly<Record<string, string>> = {
  assignment: "left", augmented_assignment: "left", for_statement: "left", for_in_clause: "left", named_expression: "name",
  default_parameter: "name", typed_default_parameter: "name", function_definition: "name", class_definition: "name", aliased_import: "alias",
};

type Use = "read" | "binding" | "other";

function useOf(id: SyntaxNode): Use {
  const parent = id.parent;
  if (!parent) return "other";
  if (parent.type === "attribute" && id.field === "attribute") return "other";
  if (parent.type === "keyword_argument" && id.field === "name") return "other";
  if (parent.type === "dotted_name") return parent.field === "module_name" ? "other" : "binding";
  let node = id;
  let p: SyntaxNode | null = parent;
  while (p && TARGET_CONTAINERS.has(p.type)) {
    node = p;
    p = p.parent;
  }
  if (!p) return "read";
  if (BINDING_PARENTS.has(p.type) || BINDING_FIELDS[p.type] === node.field) return "binding";
  return "read";
}

/** Whether any character of `source` is outside ASCII (only then can an identifier need respelling). */
export function mayNeedRespelling(source: string): boolean {
  return NON_ASCII.test(source);
}

/**
 * `source` with each identifier replaced by its NFKC form, or null when none changes. Line breaks
 * are kept (an identifier never spans one, nor does its NFKC form), so line numbers hold; columns
 * after a respelt name on its line shift by the difference in length. `keywordLike`: false leaves
 * the soft keywords and True, False and None as written (the caller's fallback should the full
 * respelling make a file we accepted fail to parse; every other name stays a name when respelt).
 */
export function respellIdentifiers(root: SyntaxNode, source: string, keywordLike: boolean): string | null {
  const respelt: { id: SyntaxNode; text: string }[] = [];
  const boundConstants = new Set<string>();
  for (const id of root.descendantsOfType("identifier")) {
    const written = source.slice(id.startIndex, id.endIndex);
    if (!NON_ASCII.test(written)) continue;
    const read = written.normalize("NFKC");
    if (read === written || KEYWORDS.has(read)) continue;
    if (CONSTANTS.has(read) && useOf(id) === "binding") boundConstants.add(read);
    respelt.push({ id, text: read });
  }
  let out = "";
  let at = 0;
  let edits = 0;
  for (const { id, text } of respelt) {
    if (SOFT_KEYWORDS.has(text) && !keywordLike) continue;
    if (CONSTANTS.has(text) && (!keywordLike || boundConstants.has(text) || useOf(id) !== "read")) continue;
    out += source.slice(at, id.startIndex) + text;
    at = id.endIndex;
    edits++;
  }
  return edits === 0 ? null : out + source.slice(at);
}
