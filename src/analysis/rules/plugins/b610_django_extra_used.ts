import { unparenthesize } from "../../python/index.js";
import type { SyntaxNode } from "../../python/index.js";
import type { Rule } from "../types.js";
import { banditCall, isStrConstant } from "./util/bandit.js";
import { boundArguments } from "./util/keywords.js";
import { callsOneOf } from "./util/triggers.js";

const EXTRA_PARAMS = ["select", "where", "params", "tables", "order_by", "select_params"];

function elements(n: SyntaxNode): SyntaxNode[] {
  return n.namedChildren.filter((c) => c.type !== "comment");
}

/** B610: Django QuerySet.extra() with SQL fragments that are not plain string literals. */
export const b610DjangoExtraUsed: Rule = {
  id: "B610",
  name: "django_extra_used",
  cwe: 89,
  severity: "MEDIUM",
  description: "QuerySet.extra() with where/tables/select parts that are not all string literals.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["extra"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (call.name !== "extra") return null;
    const src = ctx.module.source;
    const args = boundArguments(call, EXTRA_PARAMS);
    let insecure = false;
    for (const key of ["where", "tables"]) {
      const v = args.get(key);
      if (!v) continue;
      const n = unparenthesize(v);
      if (n.type === "list") {
        if (elements(n).some((e) => !isStrConstant(e, src))) {
          insecure = true;
        }
      } else {
        insecure = true;
        break;
      }
    }
    const select = args.get("select");
    if (!insecure && select) {
      const n = unparenthesize(select);
      if (n.type === "dictionary") {
        for (const pair of elements(n)) {
          if (pair.type !== "pair") {
            insecure = true; // `**other` inside the dict: its keys are unknown
            break;
          }
          const k = pair.childForFieldName("key");
          const v = pair.childForFieldName("value");
          if (!k || !v || !isStrConstant(k, src) || !isStrConstant(v, src)) {
            insecure = true;
            break;
          }
        }
      } else {
        insecure = true;
      }
    }
    if (!insecure) return null;
    return { severity: "MEDIUM", confidence: "MEDIUM", message: "QuerySet.extra() receives SQL that is not a fixed string: possible SQL injection." };
  },
};
