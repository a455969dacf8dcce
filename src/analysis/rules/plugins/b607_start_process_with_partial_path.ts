import { unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { banditCall, strConstant } from "./util/bandit.js";
import { SHELL_CONFIG_KEY, SHELL_INJECTION_DEFAULTS, shellList } from "./util/shell.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

// A full path starts with a drive letter followed by ':' or with '/', '\' or '.'.
const FULL_PATH = /^(?:[A-Za-z](?=:)|[\\/.])/;

/** B607: a process started by bare program name, resolved through PATH. */
export const b607StartProcessWithPartialPath: Rule = {
  id: "B607",
  name: "start_process_with_partial_path",
  cwe: 78,
  severity: "LOW",
  description: "A process is started with a program name that is not a full path, so PATH decides what runs.",
  nodeTypes: ["call"],
  appliesTo: (source, options) =>
    mentionsAny(source, calleeWords(shellList(options, "subprocess"))) || mentionsAny(source, calleeWords(shellList(options, "shell"))) || mentionsAny(source, calleeWords(shellList(options, "no_shell"))),
  configKey: SHELL_CONFIG_KEY,
  defaultOptions: { ...SHELL_INJECTION_DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const q = call.qualname;
    const o = ctx.options;
    // Name first: it is known already, while counting arguments reads them from the tree.
    if (!shellList(o, "subprocess").includes(q) && !shellList(o, "shell").includes(q) && !shellList(o, "no_shell").includes(q)) return null;
    if (call.argCount === 0) return null;
    let first = unparenthesize(call.args[0]!);
    if (first.type === "list") {
      const elts = first.namedChildren.filter((c) => c.type !== "comment");
      if (elts.length > 0) first = unparenthesize(elts[0]!);
    }
    const program = strConstant(first, ctx.module.source);
    if (program === null || FULL_PATH.test(program)) return null;
    return { severity: "LOW", confidence: "HIGH", message: "A process is started with a partial executable path; PATH lookup decides which program runs." };
  },
};
