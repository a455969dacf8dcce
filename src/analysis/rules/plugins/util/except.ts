import type { SyntaxNode } from "../../../python/index.js";
import { unparenthesize } from "../../../python/index.js";
import type { RuleContext, RuleHit } from "../../types.js";
import { nameId } from "./bandit.js";

/**
 * Shared logic of B110/B112: an except handler whose only statement is `pass`/`continue`. Unless
 * `check_typed_exception` is set, only bare `except:` and `except Exception:` count.
 */
export function checkTrivialHandler(node: SyntaxNode, ctx: RuleContext, statementType: string, hit: RuleHit): RuleHit | null {
  const body = node.namedChildren.find((c) => c.type === "block");
  if (!body) return null;
  const statements = body.namedChildren.filter((c) => c.type !== "comment");
  if (statements.length !== 1) return null;
  if (ctx.options.check_typed_exception !== true) {
    let type = node.childForFieldName("value") ?? node.namedChildren.find((c) => c.type !== "block" && c.type !== "comment") ?? null;
    if (type && type.type === "as_pattern") type = type.namedChildren[0] ?? null;
    if (type && nameId(unparenthesize(type), ctx.module.source) !== "Exception") return null;
  }
  return statements[0]!.type === statementType ? hit : null;
}
