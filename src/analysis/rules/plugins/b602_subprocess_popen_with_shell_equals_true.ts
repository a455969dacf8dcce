import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { hasShell, shellCommandSeverity } from "./util/shell_calls.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

/** B602: subprocess functions called with shell=True. */
export const b602SubprocessPopenWithShellEqualsTrue: Rule = {
  id: "B602",
  name: "subprocess_popen_with_shell_equals_true",
  cwe: 78,
  severity: "HIGH",
  description: "A subprocess function runs with shell=True; HIGH unless the command is a plain string literal (LOW).",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(shellList(options, "subprocess"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const src = ctx.module.source;
    if (!shellList(ctx.options, "subprocess").includes(call.qualname)) return null;
    if (!hasShell(call, src) || call.argCount === 0) return null;
    const lineNumber = call.keywordLine("shell");
    if (shellCommandSeverity(call, src) === "LOW") {
      return {
        severity: "LOW",
        confidence: "HIGH",
        message: "subprocess call with shell=True on a fixed command: safe today, but easy to make injectable; avoid the shell.",
        lineNumber,
      };
    }
    return {
      severity: "HIGH",
      confidence: "HIGH",
      message: "subprocess call with shell=True on a computed command: shell injection risk.",
      lineNumber,
    };
  },
};
