import type { Rule } from "../types.js";
import { importedExact } from "./util/imports.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B506: yaml.load without a safe Loader can build arbitrary Python objects. */
export const b506YamlLoad: Rule = {
  id: "B506",
  name: "yaml_load",
  cwe: 20,
  severity: "MEDIUM",
  description: "yaml.load without SafeLoader/CSafeLoader, which can instantiate arbitrary objects.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["yaml.load"]),
  check(node, ctx) {
    if (!importedExact(ctx.module, node, "yaml")) return null;
    const call = banditCall(node, ctx);
    const parts = call.qualname.split(".");
    if (!parts.includes("yaml") || parts[parts.length - 1] !== "load") return null;
    if (call.checkKeyword("Loader", "SafeLoader") || call.checkKeyword("Loader", "CSafeLoader")) return null;
    const second = call.argAt(1);
    if (second === "SafeLoader" || second === "CSafeLoader") return null;
    return {
      severity: "MEDIUM",
      confidence: "HIGH",
      message: "yaml.load without a safe Loader can construct arbitrary objects; use yaml.safe_load().",
    };
  },
};
