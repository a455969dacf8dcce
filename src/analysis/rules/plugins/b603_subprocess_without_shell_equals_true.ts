import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { hasShell } from "./util/shell_calls.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

/** B603: subprocess functions called without a shell (still worth checking the input). */
export const b603SubprocessWithoutShellEqualsTrue: Rule = {
  id: "B603",
  name: "subprocess_without_shell_equals_true",
  cwe: 78,
  severity: "LOW",
  description: "A subprocess function runs a program without a shell; its arguments should still be trusted.",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(shellList(options, "subprocess"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (!shellList(ctx.options, "subprocess").includes(call.qualname)) return null;
    if (hasShell(call, ctx.module.source)) return null;
    return {
      severity: "LOW",
      confidence: "HIGH",
      message: "subprocess call without a shell: check that the program and arguments are not attacker controlled.",
      lineNumber: call.keywordLine("shell"),
    };
  },
};
