import type { Rule } from "../types.js";
import { strConstant } from "./util/bandit.js";
import { isSyncFunctionDef, positionalParams } from "./util/functions.js";
import { looksLikePassword, mayNamePassword, passwordHit } from "./util/passwords.js";

/** B107: a password-like parameter with a string literal as its default. */
export const b107HardcodedPasswordDefault: Rule = {
  id: "B107",
  name: "hardcoded_password_default",
  cwe: 259,
  severity: "LOW",
  description: "A function parameter whose name looks like a password has a string literal default.",
  nodeTypes: ["function_definition"],
  // A parameter name is spelled out in the text, so one of the password words must occur there.
  appliesTo: (source) => mayNamePassword(source),
  check(node, ctx) {
    if (!isSyncFunctionDef(node, ctx.module.source)) return null;
    const src = ctx.module.source;
    const { args, defaults } = positionalParams(node, src);
    // Bandit pads defaults on the left to the length of `args` and pairs them up (zip truncates).
    // `defaults` also holds positional-only defaults, so it can be the longer list: then Python's
    // `[None] * negative` pads nothing and `args` pair with the first defaults, not their own.
    const pad = Math.max(0, args.length - defaults.length);
    for (let i = 0; i < args.length; i++) {
      const d = i - pad >= 0 ? defaults[i - pad] : undefined;
      if (!d) continue;
      const value = strConstant(d, src);
      if (value !== null && looksLikePassword(args[i]!)) return passwordHit(value);
    }
    return null;
  },
};
