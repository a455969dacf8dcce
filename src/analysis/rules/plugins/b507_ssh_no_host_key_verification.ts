import { unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { attrName, banditCall, nameId } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B507: paramiko clients told to accept unknown host keys. */
export const b507SshNoHostKeyVerification: Rule = {
  id: "B507",
  name: "ssh_no_host_key_verification",
  cwe: 295,
  severity: "HIGH",
  description: "paramiko's set_missing_host_key_policy is given AutoAddPolicy or WarningPolicy.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["set_missing_host_key_policy"]),
  check(node, ctx) {
    if (!importedLike(ctx.module, node, "paramiko")) return null;
    const call = banditCall(node, ctx);
    if (call.name !== "set_missing_host_key_policy" || call.args.length === 0) return null;
    const src = ctx.module.source;
    const arg = unparenthesize(call.args[0]!);
    let policy: string | null = attrName(arg, src) ?? nameId(arg, src);
    if (arg.type === "call") {
      const fn = arg.childForFieldName("function");
      policy = fn ? (attrName(fn, src) ?? nameId(fn, src)) : null;
    }
    if (policy !== "AutoAddPolicy" && policy !== "WarningPolicy") return null;
    return {
      severity: "HIGH",
      confidence: "MEDIUM",
      message: `SSH host keys are not verified (${policy}); a man in the middle can impersonate the server.`,
    };
  },
};
