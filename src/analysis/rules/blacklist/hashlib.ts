import type { SyntaxNode } from "../../python/index.js";
import type { Rule, RuleContext, RuleHit } from "../types.js";
import { resolvedCallName, resolvedName } from "../plugins/util/imports.js";
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
 * The weak crypt method an argument names, if any. Bandit reads the attribute or bare name
 * (`crypt.METHOD_MD5`, `METHOD_MD5`); the name is also resolved through the imports, so an alias
 * (`from crypt import METHOD_MD5 as md5`, `import crypt as c; c.METHOD_MD5`) or a star import
 * names the same constant.
 */
function cryptMethod(arg: SyntaxNode, ctx: RuleContext): string | undefined {
  const value = ctx.banditValue(arg);
  if (typeof value === "string" && WEAK_CRYPT_METHODS.has(value)) return value;
  const qual = resolvedName(ctx.module, arg);
  if (qual === null || !qual.startsWith("crypt.")) return undefined;
  const method = qual.slice("crypt.".length);
  return WEAK_CRYPT_METHODS.has(method) ? method : undefined;
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
    const qual = resolvedCallName(ctx.module, call);
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
      const args = ctx.callArgs(call);
      const index = func === "crypt" ? 1 : 0;
      const arg = args.positional.length > index ? args.positional[index] : args.keywords.get(func === "crypt" ? "salt" : "method");
      const name = arg ? cryptMethod(arg, ctx) : undefined;
      if (name !== undefined) return weakCrypt(name);
    }
    return null;
  },
};
