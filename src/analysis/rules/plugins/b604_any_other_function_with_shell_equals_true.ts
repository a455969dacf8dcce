import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { hasShell } from "./util/shell_calls.js";
import { mentionsAny } from "./util/triggers.js";

/** B604: some other function called with shell=True (it may hand its input to a shell). */
export const b604AnyOtherFunctionWithShellEqualsTrue: Rule = {
  id: "B604",
  name: "any_other_function_with_shell_equals_true",
  cwe: 78,
  severity: "MEDIUM",
  description: "A function outside the subprocess list is called with shell=True.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["shell"]),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (shellList(ctx.options, "subprocess").includes(call.qualname)) return null;
    if (!hasShell(call, ctx.module.source)) return null;
    return {
      severity: "MEDIUM",
      confidence: "LOW",
      message: "A function is called with shell=True; if it runs a shell command this is an injection risk.",
      lineNumber: call.keywordLine("shell"),
    };
  },
};
