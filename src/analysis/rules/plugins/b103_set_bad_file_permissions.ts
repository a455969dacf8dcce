import type { SyntaxNode } from "../../python/index.js";
import { literalValue, unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { banditCall, pyStr } from "./util/bandit.js";
import { mentionsAny } from "./util/triggers.js";

const S_IWOTH = 0o2n;
const S_IXOTH = 0o1n;
const S_IWGRP = 0o20n;
const S_IXGRP = 0o10n;

/**
 * The mode as Bandit 1.9.4 reads it: `get_call_arg_at_position(1)` gives an int only for an integer
 * literal (parentheses are invisible in `ast`). `stat.S_I*` names, `|` expressions and `-1`
 * (a UnaryOp) are not literals, and True/False come back as the strings "True"/"False", so none of
 * them is checked. Resolving `stat` constants is upstream PR #1410, unreleased as of 1.9.4.
 * Kept as bigint so the bit tests stay exact for literals beyond 2**53.
 */
function literalMode(node: SyntaxNode, source: string): bigint | null {
  const n = unparenthesize(node);
  if (n.type !== "integer") return null;
  const v = literalValue(n, source);
  return v?.kind === "int" ? v.value : null;
}

/** Python's `oct()`. */
function octal(n: bigint): string {
  return n < 0n ? `-0o${(-n).toString(8)}` : `0o${n.toString(8)}`;
}

/** B103: chmod calls that make a file group/world writable or executable. */
export const b103SetBadFilePermissions: Rule = {
  id: "B103",
  name: "set_bad_file_permissions",
  cwe: 732,
  severity: "MEDIUM",
  description: "chmod with an integer-literal mode that grants write or execute permission to group or others.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["chmod"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (!call.name.includes("chmod") || call.argCount !== 2) return null;
    const mode = literalMode(call.args[1]!, ctx.module.source);
    if (mode === null) return null;
    if (!(mode & S_IWOTH || mode & S_IWGRP || mode & S_IXGRP || mode & S_IXOTH)) return null;
    const file = call.argAt(0);
    return {
      severity: mode & S_IWOTH ? "HIGH" : "MEDIUM",
      confidence: "HIGH",
      message: `chmod gives a permissive mode ${octal(mode)} to ${file === null || file === undefined ? "an unparsed path" : pyStr(file)}.`,
    };
  },
};
