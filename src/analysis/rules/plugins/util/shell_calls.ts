import type { SyntaxNode } from "../../../python/index.js";
import { isTruthy, literalValue, unparenthesize } from "../../../python/index.js";
import type { Severity } from "../../../finding.js";
import type { BanditCall } from "./bandit.js";
import { isStrConstant, nameId } from "./bandit.js";

/**
 * Bandit's `has_shell`: whether the last `shell=` keyword is truthy as far as the syntax shows.
 * Constants (numbers, booleans, strings, None) count by their Python truthiness, list and dict
 * displays by being non-empty; any other expression (a variable, a call) is assumed true.
 */
export function hasShell(call: BanditCall, source: string): boolean {
  if (!call.hasKeyword("shell")) return false;
  let result = false;
  for (const k of call.keywords) {
    if (k.arg !== "shell") continue;
    result = shellValueIsTrue(unparenthesize(k.value), source);
  }
  return result;
}

function shellValueIsTrue(v: SyntaxNode, source: string): boolean {
  switch (v.type) {
    case "list":
    case "dictionary":
      return v.namedChildren.some((c) => c.type !== "comment");
    case "true":
    case "ellipsis":
      return true;
    case "false":
    case "none":
      return false;
    case "integer":
    case "float":
    case "string":
    case "concatenated_string": {
      const lit = literalValue(v, source);
      if (lit === undefined) return true; // f-string (JoinedStr) or complex literal
      return isTruthy(lit);
    }
    default: {
      const id = nameId(v, source);
      return !(id === "False" || id === "None");
    }
  }
}

/** Bandit's `_evaluate_shell_call`: a plain string command is LOW risk, anything else HIGH. */
export function shellCommandSeverity(call: BanditCall, source: string): Severity {
  return isStrConstant(call.args[0]!, source) ? "LOW" : "HIGH";
}
