import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B702: mako Template renders without HTML escaping by default. */
export const b702UseOfMakoTemplates: Rule = {
  id: "B702",
  name: "use_of_mako_templates",
  cwe: 80,
  severity: "MEDIUM",
  description: "A mako Template is created; mako does not escape HTML unless asked (|h filters).",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["mako.Template"]),
  check(node, ctx) {
    const parts = banditCall(node, ctx).qualname.split(".");
    if (!parts.includes("mako") || parts[parts.length - 1] !== "Template") return null;
    return {
      severity: "MEDIUM",
      confidence: "HIGH",
      message: "mako templates do not escape HTML by default and are prone to XSS; escape variables with the n, h or x filters (e.g. ${ data |h }).",
    };
  },
};
