import type { Rule } from "../types.js";
import { importedLike } from "./util/imports.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B601: paramiko exec_command runs a shell command on the remote host. */
export const b601ParamikoCalls: Rule = {
  id: "B601",
  name: "paramiko_calls",
  cwe: 78,
  severity: "MEDIUM",
  description: "paramiko exec_command, which runs its argument through the remote shell.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["exec_command"]),
  check(node, ctx) {
    if (!importedLike(ctx.module, node, "paramiko")) return null;
    if (banditCall(node, ctx).name !== "exec_command") return null;
    return { severity: "MEDIUM", confidence: "MEDIUM", message: "paramiko exec_command runs a remote shell command; make sure its input is sanitised." };
  },
};
