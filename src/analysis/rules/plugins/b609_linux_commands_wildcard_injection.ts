import type { Rule } from "../types.js";
import { unparenthesize } from "../../python/index.js";
import { banditCall, pyStr } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

const VULNERABLE_COMMANDS = ["chown", "chmod", "tar", "rsync"];

/** B609: shell commands with `*` given to chown/chmod/tar/rsync (crafted file names become options). */
export const b609LinuxCommandsWildcardInjection: Rule = {
  id: "B609",
  name: "linux_commands_wildcard_injection",
  cwe: 155,
  severity: "HIGH",
  description: "A shell command runs chown, chmod, tar or rsync with a * wildcard.",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(shellList(options, "shell"))) || mentionsAny(source, calleeWords(shellList(options, "subprocess"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const q = call.qualname;
    const viaShell = shellList(ctx.options, "shell").includes(q) || (shellList(ctx.options, "subprocess").includes(q) && call.checkKeyword("shell", "True") === true);
    if (!viaShell || call.argCount === 0) return null;
    const first = call.argAt(0);
    let command = "";
    // Only a list literal is joined (Bandit reads a tuple as a tuple and skips it).
    if (Array.isArray(first) && unparenthesize(call.args[0]!).type === "list") for (const part of first) command += ` ${pyStr(part)}`;
    else if (typeof first === "string") command = first;
    if (command === "" || !command.includes("*")) return null;
    if (!VULNERABLE_COMMANDS.some((c) => command.includes(c))) return null;
    return {
      severity: "HIGH",
      confidence: "MEDIUM",
      message: `A wildcard in a shell command passed to ${q} can be abused through crafted file names.`,
      lineNumber: call.keywordLine("shell"),
    };
  },
};
