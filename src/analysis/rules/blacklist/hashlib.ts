import type { SyntaxNode } from "../../python/index.js";
import type { Rule, RuleContext, RuleHit } from "../types.js";
import { mentionsAny } from "../plugins/util/triggers.js";

const WEAK_HASHES = new Set(["md4", "md5", "sha", "sha1"]);
const WEAK_CRYPT_METHODS = new Set(["METHOD_CRYPT", "METHOD_MD5", "METHOD_BLOWFISH"]);

/** Bandit's `call_keywords` view: keyword values as Bandit's literal evaluation sees them. */
function keyword(call: SyntaxNode, ctx: RuleContext, name: string): unknown {
  const v = ctx.callArgs(call).keywords.get(name);
  return v ? ctx.banditValue(v) : undefined;
}

function positional(call: SyntaxNode, ctx: RuleContext, i: number): unknown {
  const v = ctx.callArgs(call).positional[i];
  return v ? ctx.banditValue(v) : undefined;
}

// Bandit reports unless usedforsecurity is absent or literally the string "True", and
// stringifies True: so `usedforsecurity=True` and omission both report, `False` does not.
function usedForSecurity(call: SyntaxNode, ctx: RuleContext): boolean {
  const v = keyword(call, ctx, "usedforsecurity");
  return v === undefined || v === "True";
}

function weakHash(name: string): RuleHit {
  return {
    severity: "HIGH",
    confidence: "HIGH",
    message: `${name.toUpperCase()} is a weak hash; do not use it for security (pass usedforsecurity=False if it is not).`,
  };
}

function weakCrypt(name: string): RuleHit {
  return { severity: "MEDIUM", confidence: "HIGH", message: `crypt.${name.toUpperCase()} is an insecure password hash method.` };
}

/**
 * B324 (Bandit's hashlib plugin): hashlib.md4/md5/sha/sha1 and hashlib.new with one of those names
 * unless usedforsecurity=False; crypt.crypt / crypt.mksalt with a weak method.
 */
export const hashlibRule: Rule = {
  id: "B324",
  name: "hashlib",
  cwe: 327,
  severity: "HIGH",
  description: "Weak hash functions (MD4, MD5, SHA, SHA1) used for security, and weak crypt methods.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["hashlib", "crypt"]),
  check(call, ctx) {
    const qual = ctx.callName(call);
    const parts = qual.split(".");
    const func = parts[parts.length - 1]!;
    if (parts.includes("hashlib")) {
      if (WEAK_HASHES.has(func)) return usedForSecurity(call, ctx) ? weakHash(func) : null;
      if (func === "new") {
        const name = ctx.callArgs(call).positional.length > 0 ? positional(call, ctx, 0) : keyword(call, ctx, "name");
        if (typeof name === "string" && WEAK_HASHES.has(name.toLowerCase()) && usedForSecurity(call, ctx)) return weakHash(name);
      }
      return null;
    }
    if (parts.includes("crypt") && (func === "crypt" || func === "mksalt")) {
      const name =
        func === "crypt"
          ? ctx.callArgs(call).positional.length > 1
            ? positional(call, ctx, 1)
            : keyword(call, ctx, "salt")
          : ctx.callArgs(call).positional.length > 0
            ? positional(call, ctx, 0)
            : keyword(call, ctx, "method");
      if (typeof name === "string" && WEAK_CRYPT_METHODS.has(name)) return weakCrypt(name);
    }
    return null;
  },
};
