import type { ParsedModule, SyntaxNode } from "../../../python/index.js";
import type { RuleHit, RuleOptions } from "../../types.js";
import { DefUse } from "../../../vuln/checks/ast.js";
import { importAliases } from "../../../vuln/checks/callees.js";
import { credentialReceivers, handsOnAsCredential, holdsCredential } from "../../../vuln/checks/credentials.js";

// Bandit's password-looking name test: the word alone, or as an underscore-delimited part.
const WORDS = "(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)";
const CANDIDATES = new RegExp(`(^${WORDS}$|_${WORDS}_|^${WORDS}_|_${WORDS}$)`, "i");

export function looksLikePassword(name: string): boolean {
  return CANDIDATES.test(name);
}

// Every name `looksLikePassword` accepts contains one of these (case-insensitively).
const ANY_WORD = new RegExp(WORDS, "i");

/** False when no name in `text` can look like a password (a module-wide shortcut). */
export function mayNamePassword(text: string): boolean {
  return ANY_WORD.test(text);
}

export function passwordHit(value: string): Omit<RuleHit, "node" | "lineNumber"> {
  return { severity: "LOW", confidence: "MEDIUM", message: `Possibly a hard-coded password: '${value}'` };
}

/**
 * B105/B107 decide a function-local name (a local variable or parameter) by where its value goes,
 * not by the name: renaming a local changes nothing at run time, and the reward's verdict must not
 * change either (docs/rules.md, "Hard-coded passwords"). Bandit's name-only matches come back with
 * the rule option `bandit_name_matches: true` (the differential test against Bandit uses it).
 * Names visible outside the function (module variables, attributes, dict keys) are the program's
 * data interface and are still read by name.
 */
export function banditNameMatches(options: RuleOptions): boolean {
  return options.bandit_name_matches === true;
}

const aliasCache = new WeakMap<ParsedModule, Map<string, string>>();
function aliasesOf(module: ParsedModule): Map<string, string> {
  let m = aliasCache.get(module);
  if (!m) aliasCache.set(module, (m = importAliases(module.root)));
  return m;
}

/** The function whose local `node` is, or null at module or class level. */
export function enclosingFunctionOf(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition") return p;
    if (p.type === "class_definition") return null;
  }
  return null;
}

/** Does `fn` hand its local `name` on as a credential (`password=name`, an hmac key, an Authorization header)? */
export function localHandedOnAsCredential(module: ParsedModule, fn: SyntaxNode, name: string): boolean {
  const body = fn.childForFieldName("body");
  if (!body) return false;
  const aliases = aliasesOf(module);
  // Most functions hand nothing on as a credential: then no def-use map is needed.
  return credentialReceivers(body, aliases).length > 0 && handsOnAsCredential(body, DefUse.of(fn).closure([name]), aliases);
}

/** Does the local identifier `id` hold a credential (read from getpass, a credential key or field, or handed on as one)? */
export function localHoldsCredential(module: ParsedModule, fn: SyntaxNode, id: SyntaxNode): boolean {
  return holdsCredential(id, fn, DefUse.of(fn), aliasesOf(module));
}
