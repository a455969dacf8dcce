/**
 * Respelt names: every identifier's letters written as compatibility characters that Python reads
 * back as the same letters (PEP 3131 reads identifiers in NFKC form), alternating fullwidth
 * (`ｅｖａｌ`, one UTF-16 unit a letter) and mathematical bold (`𝐞𝐯𝐚𝐥`, two units a letter, so every
 * offset after it moves). Strings, comments and keywords are not identifiers and keep their text,
 * so the program is the same program to CPython, and to any analysis that reads names as Python
 * does.
 */
import { applyEdits, replaceNode, type Edit } from "./edits.js";
import type { Transform } from "./types.js";

const FULLWIDTH_UPPER_A = 0xff21;
const FULLWIDTH_LOWER_A = 0xff41;
const BOLD_UPPER_A = 0x1d400;
const BOLD_LOWER_A = 0x1d41a;

function respell(name: string, bold: boolean): string {
  let out = "";
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (c >= 0x41 && c <= 0x5a) out += String.fromCodePoint((bold ? BOLD_UPPER_A : FULLWIDTH_UPPER_A) + c - 0x41);
    else if (c >= 0x61 && c <= 0x7a) out += String.fromCodePoint((bold ? BOLD_LOWER_A : FULLWIDTH_LOWER_A) + c - 0x61);
    else out += ch;
  }
  return out;
}

export const respellNames: Transform = (mod) => {
  const edits: Edit[] = [];
  for (const id of mod.root.descendantsOfType("identifier")) {
    const name = id.text;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !/[A-Za-z]/.test(name)) continue;
    edits.push(replaceNode(id, respell(name, edits.length % 2 === 1)));
  }
  return edits.length ? applyEdits(mod.source, edits) : null;
};
