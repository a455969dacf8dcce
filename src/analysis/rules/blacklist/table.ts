import type { Severity } from "../../finding.js";
import type { RuleMeta } from "../types.js";

/** One Bandit blacklist entry: an id, the names it matches, its severity (confidence is always HIGH). */
export interface BlacklistEntry extends RuleMeta {
  /** Call blacklists: qualified names (fnmatch patterns); import blacklists: module prefixes. */
  qualnames: readonly string[];
  /** Issue text; `{name}` is replaced by the matched name. */
  message: string;
}

const DOCS = "https://bandit.readthedocs.io/en/latest/blacklists/";

/** Bandit's docs anchors, including its combined pages for B304/B305 and B313-B319 (Bandit still names that page b313-b320). */
function docsLink(kind: "calls" | "imports", id: string, name: string): string {
  let anchor = `${id}-${name.replace(/_/g, "-")}`;
  if (id === "B304" || id === "B305") anchor = "b304-b305-ciphers-and-modes";
  else if (/^B31[3-9]$/.test(id)) anchor = `b313-b320-${name.replace(/_/g, "-")}`;
  return `${DOCS}blacklist_${kind}.html#${anchor.toLowerCase()}`;
}

export function entry(
  kind: "calls" | "imports",
  id: string,
  name: string,
  cwe: number,
  qualnames: readonly string[],
  message: string,
  severity: Severity = "MEDIUM",
): BlacklistEntry {
  return {
    id,
    name,
    cwe,
    severity,
    qualnames,
    message,
    description: message.replace(/\{name\}/g, "it"),
    moreInfo: docsLink(kind, id, name),
  };
}

/** fnmatch as Bandit uses it on POSIX (case-sensitive; `*`, `?` and `[...]`). */
export function fnmatch(name: string, pattern: string): boolean {
  if (!/[*?[]/.test(pattern)) return name === pattern;
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`${re}$`, "s").test(name);
}
