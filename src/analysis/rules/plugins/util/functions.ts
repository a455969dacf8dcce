import type { SyntaxNode } from "../../../python/index.js";
import { nodeText, parameterKind } from "../../../python/index.js";

/** Python's FunctionDef (Bandit has no visitor for AsyncFunctionDef, so async defs are skipped). */
export function isSyncFunctionDef(node: SyntaxNode, source?: string): boolean {
  if (node.type !== "function_definition") return false;
  // `async` can only be the first token of a function_definition: the text tells when the source
  // is at hand, else the first child does.
  if (source !== undefined) return !source.startsWith("async", node.startIndex);
  return node.firstChild?.type !== "async";
}

export interface PositionalParams {
  /** `ast.arguments.args`: positional-or-keyword parameter names (after any `/`). */
  args: string[];
  /** `ast.arguments.defaults`: defaults of all positional parameters (positional-only included). */
  defaults: SyntaxNode[];
}

// B107 and B503 both read every def's parameters: compute them once per node.
const PARAMS = {};

/** The parts of a def's parameter list that `ast.arguments.args`/`defaults` hold. */
export function positionalParams(def: SyntaxNode, source: string): PositionalParams {
  const cache = def.tree.memoTable<PositionalParams>(PARAMS);
  let out = cache.get(def.id);
  if (!out) {
    out = readPositionalParams(def, source);
    cache.set(def.id, out);
  }
  return out;
}

function readPositionalParams(def: SyntaxNode, source: string): PositionalParams {
  const params = def.childForFieldName("parameters");
  const out: PositionalParams = { args: [], defaults: [] };
  if (!params) return out;
  let names: string[] = [];
  for (const p of params.namedChildren) {
    // By what the parameter is, not its node type: `*rest: str` is a typed_parameter.
    const kind = parameterKind(p);
    if (kind === "star" || kind === "bare-star" || kind === "double-star") break;
    if (kind === "slash") {
      names = []; // everything so far was positional-only (`ast.arguments.posonlyargs`)
      continue;
    }
    if (p.type === "identifier") names.push(nodeText(p, source));
    else if (p.type === "typed_parameter") {
      const id = p.namedChildren.find((c) => c.type === "identifier");
      if (id) names.push(nodeText(id, source));
    } else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
      const name = p.childForFieldName("name");
      const value = p.childForFieldName("value");
      if (name) names.push(nodeText(name, source));
      if (value) out.defaults.push(value);
    }
  }
  out.args = names;
  return out;
}
