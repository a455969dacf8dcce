import type { SyntaxNode } from "../../python/index.js";
import { nodeText, unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { attrName, banditCall, nameId } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** Keyword arguments anywhere inside the call, breadth first as `ast.walk` yields them. */
function keywordsBreadthFirst(call: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const queue: SyntaxNode[] = [call];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    if (n.type === "keyword_argument") out.push(n);
    for (const c of n.namedChildren) queue.push(c);
  }
  return out;
}

/** B701: jinja2 Environment without autoescaping (XSS). */
export const b701Jinja2AutoescapeFalse: Rule = {
  id: "B701",
  name: "jinja2_autoescape_false",
  cwe: 94,
  severity: "HIGH",
  description: "A jinja2 Environment is created with autoescape off or unset (HIGH confidence) or not clearly on (MEDIUM).",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["jinja2.Environment"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const parts = call.qualname.split(".");
    if (!parts.includes("jinja2") || parts[parts.length - 1] !== "Environment") return null;
    const src = ctx.module.source;
    for (const kw of keywordsBreadthFirst(node)) {
      const name = kw.childForFieldName("name");
      if (!name || nodeText(name, src) !== "autoescape") continue;
      const value = unparenthesize(kw.childForFieldName("value")!);
      if (value.type === "false" || nameId(value, src) === "False") {
        return { severity: "HIGH", confidence: "HIGH", message: "jinja2 autoescape=False leaves templates open to XSS; use autoescape=True or select_autoescape()." };
      }
      if (value.type === "true" || nameId(value, src) === "True") return null;
      if (value.type === "call") {
        const fn = value.childForFieldName("function");
        // Bandit accepts the call by `func.id` or `func.attr`, so jinja2.select_autoescape(...)
        // counts as well as a bare select_autoescape(...) (fixed upstream for issue #711).
        if (fn && (nameId(fn, src) === "select_autoescape" || attrName(fn, src) === "select_autoescape")) return null;
      }
      return { severity: "HIGH", confidence: "MEDIUM", message: "jinja2 autoescape is set to something that may be false; use autoescape=True or select_autoescape() to prevent XSS." };
    }
    return { severity: "HIGH", confidence: "HIGH", message: "jinja2 does not autoescape by default; pass autoescape=True or select_autoescape() to prevent XSS." };
  },
};
