import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B102: calls to the builtin `exec`. */
export const b102ExecUsed: Rule = {
  id: "B102",
  name: "exec_used",
  cwe: 78,
  severity: "MEDIUM",
  description: "The builtin exec() runs dynamically built code.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["exec"]),
  check(node, ctx) {
    if (banditCall(node, ctx).qualname !== "exec") return null;
    return { severity: "MEDIUM", confidence: "HIGH", message: "exec() is called; it runs arbitrary code built at run time." };
  },
};
