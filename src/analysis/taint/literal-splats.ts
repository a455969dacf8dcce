/**
 * Arguments passed through a literal splat are plain arguments: `f(*[cmd])` is `f(cmd)` and
 * `subprocess.call(**{"args": cmd, "shell": True})` is `subprocess.call(args=cmd, shell=True)`,
 * also when the splat names a variable whose one reaching definition is such a display
 * (`opts = {"shell": True}` then `subprocess.call(cmd, **opts)`).
 * Unpacked, they meet the sink models' positions and keywords; left packed, the splat hid the
 * argument and the keyword that makes the call a shell.
 */
import type { CallArgs } from "../python/index.js";
import { stringValue } from "../python/index.js";
import type { SyntaxNode } from "../python/cfg.js";
import { unparen } from "./context.js";

export function expandLiteralSplats(call: SyntaxNode, args: CallArgs, source: string, binding: (id: SyntaxNode) => SyntaxNode | null): CallArgs {
  if (!args.hasStarArgs && !args.hasStarStarKwargs) return args;
  const list = call.childForFieldName("arguments");
  if (!list || list.type === "generator_expression") return args;
  const out: CallArgs = { ...args, positional: [], keywords: new Map(args.keywords), keywordNodes: [...args.keywordNodes], hasStarArgs: false, hasStarStarKwargs: false };
  for (const a of list.namedChildren) {
    if (a.type === "comment" || a.type === "keyword_argument") continue;
    if (a.type === "list_splat") {
      const v = displayOf(a, binding);
      const items = (v.type === "list" || v.type === "tuple") && !v.namedChildren.some((c) => c.type === "list_splat") ? v.namedChildren.filter((c) => c.type !== "comment") : null;
      if (items) out.positional.push(...items);
      else out.hasStarArgs = true;
      continue;
    }
    if (a.type === "dictionary_splat") {
      const v = displayOf(a, binding);
      const pairs = v.type === "dictionary" ? v.namedChildren.filter((c) => c.type !== "comment") : [];
      const named = pairs.map((p) => {
        const key = p.type === "pair" ? p.childForFieldName("key") : null;
        const name = key ? stringValue(key, source) : null;
        return typeof name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? ([name, p.childForFieldName("value")!] as const) : null;
      });
      if (v.type === "dictionary" && named.every((n) => n !== null)) {
        for (const [name, value] of named as (readonly [string, SyntaxNode])[]) {
          out.keywords.set(name, value);
          out.keywordNodes.push(value.parent!);
        }
      } else out.hasStarStarKwargs = true;
      continue;
    }
    out.positional.push(a);
  }
  return out;
}

/** What a splat unpacks: its display, or the display the one reaching definition of its name binds. */
function displayOf(splat: SyntaxNode, binding: (id: SyntaxNode) => SyntaxNode | null): SyntaxNode {
  const v = unparen(splat.namedChildren[0] ?? splat);
  const bound = v.type === "identifier" ? binding(v) : null;
  return bound ? unparen(bound) : v;
}
