/**
 * The variables a nested function (or lambda) captures from the functions around it: names it
 * reads that an enclosing function binds and it does not bind itself. Found from the syntax
 * (binding forms), without the SSA form of either function: every nested function is asked once,
 * and its definer's SSA would otherwise be built for this alone.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { targetNames } from "../python/ssa.js";
import type { FunctionInfo } from "./context.js";

const SCOPES = new Set(["function_definition", "lambda", "class_definition"]);

export function capturedNames(fn: FunctionInfo, enclosing: readonly FunctionInfo[]): readonly string[] {
  if (enclosing.length === 0) return [];
  const outer = new Set<string>();
  for (const e of enclosing) for (const name of boundNames(e)) outer.add(name);
  if (outer.size === 0) return [];
  const own = boundNames(fn);
  const out: string[] = [];
  for (const id of fn.node.descendantsOfType("identifier")) {
    const name = id.text;
    if (!outer.has(name) || own.has(name) || out.includes(name)) continue;
    if (id.field === "attribute" || (id.field === "name" && id.parent?.type === "keyword_argument")) continue;
    out.push(name);
  }
  return out;
}

const BINDING_FORMS = ["assignment", "augmented_assignment", "for_statement", "named_expression", "function_definition", "class_definition", "as_pattern_target", "aliased_import", "import_statement", "import_from_statement"];

/** Names a function binds in its own scope: parameters and the targets of its binding forms. */
function boundNames(fn: FunctionInfo): Set<string> {
  const out = new Set<string>(fn.params);
  const body = fn.node.childForFieldName("body");
  if (!body) return out;
  for (const n of body.descendantsOfType(BINDING_FORMS)) {
    if (n === body || scopeOf(n) !== fn.node.id) continue;
    switch (n.type) {
      case "named_expression":
      case "function_definition":
      case "class_definition":
        out.add(n.childForFieldName("name")?.text ?? "");
        break;
      case "as_pattern_target":
        for (const name of targetNames(n.namedChildren[0] ?? null)) out.add(name);
        break;
      case "aliased_import":
        out.add(n.childForFieldName("alias")?.text ?? "");
        break;
      case "import_statement":
      case "import_from_statement":
        for (const d of n.namedChildren) if (d.type === "dotted_name" && (n.type === "import_statement" || d.field === "name")) out.add(d.namedChildren[0]?.text ?? "");
        break;
      default:
        for (const name of targetNames(n.childForFieldName("left"))) out.add(name);
    }
  }
  return out;
}

/** The id of the function, lambda or class whose scope `n` binds in (a def binds its name outside). */
function scopeOf(n: SyntaxNode): number {
  for (let x = n.parent; x; x = x.parent) if (SCOPES.has(x.type)) return x.id;
  return -1;
}
