import type { Rule } from "../types.js";
import { pySplitLines } from "./util/lines.js";

// Unicode bidirectional control characters (CVE-2021-42574, "Trojan Source").
const BIDI_CHARACTERS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"];
// One scan of the text rules out almost every file before it is split into lines.
const ANY_BIDI = /[\u202a-\u202e\u2066-\u2069\u200f]/;

/** B613: bidirectional control characters that can make code read differently than it runs. */
export const b613Trojansource: Rule = {
  id: "B613",
  name: "trojansource",
  cwe: 838,
  severity: "HIGH",
  description: "The file contains Unicode bidirectional control characters (Trojan Source).",
  nodeTypes: ["module"],
  check(node, ctx) {
    if (!ANY_BIDI.test(ctx.module.source)) return null;
    // Bandit reads the file with str.splitlines() and reports the first line holding any of the
    // characters (checked in a fixed order); the position is mapped back to the tree for the range.
    const lines = pySplitLines(ctx.module.source);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      for (const ch of BIDI_CHARACTERS) {
        const col = line.indexOf(ch);
        if (col < 0) continue;
        const at = i < ctx.module.lines.length && ctx.module.lines[i] === line ? node.descendantForPosition({ row: i, column: col }) : null;
        const code = ch.codePointAt(0)!.toString(16).padStart(4, "0");
        return {
          severity: "HIGH",
          confidence: "MEDIUM",
          message: `The file contains a bidirectional control character (U+${code.toUpperCase()}) that can disguise what the code does.`,
          node: at ?? node,
          lineNumber: i + 1,
        };
      }
    }
    return null;
  },
};
