import { parsePython, type ParsedModule, type SyntaxNode } from "../analysis/python/index.js";

/**
 * The SecureCodeRL paper's code-structure finding: models that define the requested function
 * but leave its body empty (pass, ..., a docstring) and write the real solution at module level.
 * Only top-level statements and each function's own body are looked at, so no recursion is needed.
 */

const DEFINITION_TYPES = new Set(["function_definition", "class_definition", "decorated_definition"]);
const INERT_TOP_LEVEL = new Set(["import_statement", "import_from_statement", "future_import_statement", "comment", "pass_statement"]);

function isPlaceholderStatement(node: SyntaxNode): boolean {
  if (node.type === "pass_statement" || node.type === "comment") return true;
  if (node.type === "expression_statement") {
    const child = node.namedChildren[0];
    return child !== undefined && node.namedChildCount === 1 && (child.type === "ellipsis" || child.type === "string" || child.type === "concatenated_string");
  }
  return false;
}

function functionsOf(root: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const unwrap = (n: SyntaxNode) => (n.type === "decorated_definition" ? n.childForFieldName("definition") ?? n : n);
  for (const top of root.namedChildren) {
    const def = unwrap(top);
    if (def.type === "function_definition") found.push(def);
    if (def.type === "class_definition") {
      for (const member of def.childForFieldName("body")?.namedChildren ?? []) {
        const m = unwrap(member);
        if (m.type === "function_definition") found.push(m);
      }
    }
  }
  return found;
}

/** A module-level statement that does work (not a definition, import, docstring or constant). */
function doesWork(node: SyntaxNode): boolean {
  if (DEFINITION_TYPES.has(node.type) || INERT_TOP_LEVEL.has(node.type)) return false;
  if (node.type === "expression_statement") {
    const child = node.namedChildren[0];
    if (!child) return false;
    if (child.type === "string" || child.type === "concatenated_string" || child.type === "ellipsis") return false;
    // `NAME = literal` configures; anything computed or called is solution work.
    if (child.type === "assignment") {
      const right = child.childForFieldName("right");
      return right !== null && !["integer", "float", "string", "true", "false", "none"].includes(right.type);
    }
  }
  return true;
}

/** Takes the code, or the module the analyzers already parsed (one parse per sample). */
export function hasModuleLevelSolution(code: string | ParsedModule): boolean {
  let parsed: ParsedModule;
  try {
    parsed = typeof code === "string" ? parsePython(code) : code;
  } catch {
    return false;
  }
  const functions = functionsOf(parsed.root);
  if (functions.length === 0) return false;
  const emptyBodies = functions.every((f) => {
    const body = f.childForFieldName("body");
    return !body || body.namedChildren.every(isPlaceholderStatement);
  });
  return emptyBodies && parsed.root.namedChildren.some(doesWork);
}
