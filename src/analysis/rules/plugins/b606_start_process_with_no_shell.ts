import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

/** B606: os.exec*, os.spawn* and os.startfile start programs directly (no shell). */
export const b606StartProcessWithNoShell: Rule = {
  id: "B606",
  name: "start_process_with_no_shell",
  cwe: 78,
  severity: "LOW",
  description: "A process is started without a shell (os.exec*, os.spawn*, os.startfile).",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(shellList(options, "no_shell"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    if (!shellList(ctx.options, "no_shell").includes(banditCall(node, ctx).qualname)) return null;
    return { severity: "LOW", confidence: "MEDIUM", message: "A process is started without a shell; check that the program and arguments are trusted." };
  },
};
