import type { Rule } from "../types.js";
import { importsModule, resolvedCallName, resolvedName } from "./util/imports.js";

const SAFE_LOADERS = new Set(["yaml.SafeLoader", "yaml.CSafeLoader"]);
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
    if (!importsModule(ctx.module, node, "yaml")) return null;
    const call = banditCall(node, ctx);
    const parts = resolvedCallName(ctx.module, node).split(".");
    if (!parts.includes("yaml") || parts[parts.length - 1] !== "load") return null;
    if (call.checkKeyword("Loader", "SafeLoader") || call.checkKeyword("Loader", "CSafeLoader")) return null;
    const second = call.argAt(1);
    if (second === "SafeLoader" || second === "CSafeLoader") return null;
    // The loader under any import spelling (`from yaml import SafeLoader as L`, `y.CSafeLoader`).
    const args = ctx.callArgs(node);
    const loader = args.keywords.get("Loader") ?? args.positional[1];
    if (loader && SAFE_LOADERS.has(resolvedName(ctx.module, loader) ?? "")) return null;
    return {
      severity: "MEDIUM",
      confidence: "HIGH",
      message: "yaml.load without a safe Loader can construct arbitrary objects; use yaml.safe_load().",
    };
  },
};
