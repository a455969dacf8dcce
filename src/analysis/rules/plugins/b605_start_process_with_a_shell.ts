import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { shellCommandSeverity } from "./util/shell_calls.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

/** B605: functions that always go through a shell (os.system, os.popen, ...). */
export const b605StartProcessWithAShell: Rule = {
  id: "B605",
  name: "start_process_with_a_shell",
  cwe: 78,
  severity: "HIGH",
  description: "A process is started through a shell (os.system, os.popen, ...); HIGH unless the command is a plain string literal.",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(shellList(options, "shell"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (!shellList(ctx.options, "shell").includes(call.qualname) || call.argCount === 0) return null;
    if (shellCommandSeverity(call, ctx.module.source) === "LOW") {
      return {
        severity: "LOW",
        confidence: "HIGH",
        message: "A process is started through a shell with a fixed command: safe today, but easy to make injectable.",
      };
    }
    return { severity: "HIGH", confidence: "HIGH", message: "A process is started through a shell with a computed command: shell injection risk." };
  },
};
