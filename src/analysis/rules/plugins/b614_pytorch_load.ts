import type { Rule } from "../types.js";
import { importsModule, resolvedCallName } from "./util/imports.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B614: torch.load without weights_only=True unpickles arbitrary objects. */
export const b614PytorchLoad: Rule = {
  id: "B614",
  name: "pytorch_load",
  cwe: 502,
  severity: "MEDIUM",
  description: "torch.load without weights_only=True, which unpickles arbitrary Python objects.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["torch.load", "torch.serialization.load"]),
  check(node, ctx) {
    if (!importsModule(ctx.module, node, "torch")) return null;
    const call = banditCall(node, ctx);
    const qual = resolvedCallName(ctx.module, node);
    if (qual !== "torch.load" && qual !== "torch.serialization.load") return null;
    if (call.keywordValue("weights_only") === "True") return null;
    return { severity: "MEDIUM", confidence: "HIGH", message: "torch.load without weights_only=True can run code embedded in the file (pickle)." };
  },
};
