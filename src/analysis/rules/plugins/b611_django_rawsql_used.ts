import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { banditCall, isStrConstant } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B611: Django RawSQL with a query that is not a plain string literal. */
export const b611DjangoRawsqlUsed: Rule = {
  id: "B611",
  name: "django_rawsql_used",
  cwe: 89,
  severity: "MEDIUM",
  description: "django.db.models RawSQL with a query built at run time.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["RawSQL"]),
  check(node, ctx) {
    if (!importedLike(ctx.module, node, "django.db.models")) return null;
    const call = banditCall(node, ctx);
    if (call.name !== "RawSQL") return null;
    // Bandit reads args[0], else the sql= keyword (a call with neither raises and reports nothing).
    const sql = call.args[0] ?? call.keyword("sql");
    if (!sql || isStrConstant(sql, ctx.module.source)) return null;
    return { severity: "MEDIUM", confidence: "MEDIUM", message: "RawSQL receives a query that is not a fixed string: possible SQL injection." };
  },
};
