import type { Rule } from "../types.js";
import { strConstant } from "./util/bandit.js";
import { isSyncFunctionDef, positionalParams } from "./util/functions.js";
import { banditNameMatches, localHandedOnAsCredential, looksLikePassword, mayNamePassword, passwordHit } from "./util/passwords.js";

/**
 * B107: a parameter with a string literal default that the function hands on as a credential
 * (`password=` keyword of a call, hmac/jwt key, Authorization header, stored under a credential
 * key). With `bandit_name_matches`, Bandit's test instead: the parameter's name looks like a password.
 */
export const b107HardcodedPasswordDefault: Rule = {
  id: "B107",
  name: "hardcoded_password_default",
  cwe: 259,
  severity: "LOW",
  description: "A function parameter with a string literal default that is used as a credential (Bandit: whose name looks like a password).",
  nodeTypes: ["function_definition"],
  defaultOptions: { bandit_name_matches: false },
  // Bandit's test needs a password word in a parameter name, so one must occur in the text; the
  // credential uses (keywords, headers, hmac) have no single word to look for.
  appliesTo: (source, options) => !banditNameMatches(options) || mayNamePassword(source),
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
      if (value === null) continue;
      const used = banditNameMatches(ctx.options) ? looksLikePassword(args[i]!) : localHandedOnAsCredential(ctx.module, node, args[i]!);
      if (used) return passwordHit(value);
    }
    return null;
  },
};
