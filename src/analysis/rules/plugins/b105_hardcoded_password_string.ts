import type { SyntaxNode } from "../../python/index.js";
import { unparenthesize } from "../../python/index.js";
import type { Rule, RuleHit } from "../types.js";
import { attrName, banditLiteral, isConstant, nameId, pyParent, pyStr, strConstant } from "./util/bandit.js";
import { ancestorsOf } from "./util/ancestors.js";
import { banditNameMatches, enclosingFunctionOf, localHandedOnAsCredential, localHoldsCredential, looksLikePassword, passwordHit } from "./util/passwords.js";
import { STRING_NODE_TYPES, strHit, strSites } from "./util/strings.js";

/** Targets of the Python `Assign` whose value is `value` (chained `a = b = v` has several). */
function assignTargets(assignment: SyntaxNode): SyntaxNode[] {
  const targets: SyntaxNode[] = [];
  const left = assignment.childForFieldName("left");
  if (left) targets.push(left);
  let inner = assignment;
  for (const up of ancestorsOf(assignment).ancestors) {
    if (up.type === "parenthesized_expression") continue;
    if (up.type !== "assignment" || up.childForFieldName("right")?.id !== inner.id) break;
    const l = up.childForFieldName("left");
    if (l) targets.unshift(l);
    inner = up;
  }
  return targets;
}

/** How Python's f-string renders a constant: str as is, others through str(). */
function constantText(node: SyntaxNode, source: string): string {
  const s = strConstant(node, source);
  if (s !== null) return s;
  const n = unparenthesize(node);
  if (n.type === "integer" || n.type === "float") return source.slice(n.startIndex, n.endIndex);
  return pyStr(banditLiteral(n, source));
}

/** A plain `x = value` (not annotated, not augmented) with `node` as the value. */
function isAssignValue(parent: SyntaxNode, node: SyntaxNode): boolean {
  if (parent.type !== "assignment" || parent.childForFieldName("type")) return false;
  const right = parent.childForFieldName("right");
  return !!right && unparenthesize(right).id === node.id;
}

/**
 * B105: string literals assigned to, stored under, or compared with password-like names. A
 * function's local variable is judged by its value instead (passwords.ts): a literal assigned to a
 * local the function hands on as a credential, or compared with a local that holds one. Module
 * variables, attributes and dict keys keep Bandit's name test; `bandit_name_matches` restores it
 * for locals too.
 */
export const b105HardcodedPasswordString: Rule = {
  id: "B105",
  name: "hardcoded_password_string",
  cwe: 259,
  severity: "LOW",
  description: "A string literal is assigned to, used as a dict key for, or compared with a name that looks like a password.",
  nodeTypes: STRING_NODE_TYPES,
  defaultOptions: { bandit_name_matches: false },
  check(node, ctx) {
    const src = ctx.module.source;
    const byName = banditNameMatches(ctx.options);
    const hits: RuleHit[] = [];
    for (const site of strSites(node, src)) {
      const parent = site.parent;
      if (!parent || site.joined) continue;
      if (isAssignValue(parent, site.node)) {
        for (const t of assignTargets(parent)) {
          const local = nameId(t, src);
          const fn = local !== null && !byName ? enclosingFunctionOf(parent) : null;
          // A function's local is a credential by where its value goes; other names by Bandit's test.
          const hit = fn ? localHandedOnAsCredential(ctx.module, fn, local!) : looksLikePassword(local ?? attrName(t, src) ?? "");
          if (hit) {
            hits.push(strHit(site, passwordHit(site.value)));
            break;
          }
        }
      } else if (parent.type === "pair" && parent.childForFieldName("key")?.id === site.node.id && looksLikePassword(site.value)) {
        // {"password": <constant>}: the value is reported whatever constant it is
        const value = parent.childForFieldName("value");
        if (value && isConstant(value, src)) hits.push(strHit(site, passwordHit(constantText(value, src))));
      } else if (parent.type === "subscript" && parent.childForFieldName("subscript")?.id === site.node.id && looksLikePassword(site.value)) {
        // d["password"] = "literal"
        const assign = pyParent(parent);
        if (assign && assign.type === "assignment" && !assign.childForFieldName("type") && unparenthesize(assign.childForFieldName("left") ?? parent).id === parent.id) {
          const value = strConstant(assign.childForFieldName("right") ?? parent, src);
          if (value !== null) hits.push(strHit(site, passwordHit(value)));
        }
      } else if (parent.type === "comparison_operator") {
        const operands = parent.namedChildren.filter((c) => c.type !== "comment");
        const left = operands[0];
        const first = operands[1];
        if (!left || !first) continue;
        const value = strConstant(first, src);
        if (value === null) continue;
        const local = nameId(left, src);
        const fn = local !== null && !byName ? enclosingFunctionOf(parent) : null;
        // A local compared with the literal: a credential by where it comes from (getpass, a
        // password field) or goes, not by its name.
        const hit = fn ? localHoldsCredential(ctx.module, fn, unparenthesize(left)) : looksLikePassword(local ?? attrName(left, src) ?? "");
        if (hit) hits.push(strHit(site, passwordHit(value)));
      }
    }
    return hits;
  },
};
