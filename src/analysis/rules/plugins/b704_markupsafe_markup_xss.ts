import type { SyntaxNode } from "../../python/index.js";
import { unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { banditCall, isConstant } from "./util/bandit.js";
import { calleeWords, mentionsAny } from "./util/triggers.js";

const MARKUP_NAMES = ["markupsafe.Markup", "flask.Markup"];

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

// The callee list is asked for per module by the prefilter: build it once per options object.
const markupNamesCache = new WeakMap<object, string[]>();
function markupNames(options: Record<string, unknown>): string[] {
  let names = markupNamesCache.get(options);
  if (!names) {
    names = [...MARKUP_NAMES, ...stringList(options.extend_markup_names)];
    markupNamesCache.set(options, names);
  }
  return names;
}

/**
 * B704: markupsafe.Markup (or a configured alias) wrapping non-constant data, which skips escaping.
 * Bandit 1.9.4 matches the callee's qualified name only; following local subclasses of Markup is
 * upstream PR #1446, unreleased as of 1.9.4, so `class Safe(Markup)` calls are not reported.
 */
export const b704MarkupsafeMarkupXss: Rule = {
  id: "B704",
  name: "markupsafe_markup_xss",
  cwe: 79,
  severity: "MEDIUM",
  description: "markupsafe.Markup/flask.Markup (or configured aliases) applied to non-constant data.",
  nodeTypes: ["call"],
  appliesTo: (source, options) => mentionsAny(source, calleeWords(markupNames(options))),
  configKey: "markupsafe_xss",
  defaultOptions: { extend_markup_names: [], allowed_calls: [] },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (!markupNames(ctx.options).includes(call.qualname)) return null;
    const first: SyntaxNode | undefined = call.args[0];
    if (!first || isConstant(first, ctx.module.source)) return null;
    const allowed = stringList(ctx.options.allowed_calls);
    const arg = unparenthesize(first);
    if (allowed.length > 0 && arg.type === "call" && allowed.includes(ctx.callName(arg))) return null;
    return {
      severity: "MEDIUM",
      confidence: "HIGH",
      message: `${call.qualname} marks non-constant data as safe HTML; ${call.name} does no escaping, so untrusted input leads to XSS.`,
    };
  },
};
