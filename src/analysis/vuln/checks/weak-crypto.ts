/**
 * CWE-327/328: broken or risky cryptographic algorithms.
 *
 * - Weak hash constructors (`hashlib.md5/sha1/...`, `hashlib.new("md5")`, `hmac.new(k, m, "sha1")`)
 *   unless `usedforsecurity=False` says the digest is not a security control.
 * - An algorithm chosen at run time (`hashlib.new(name)`, `hmac.new(k, m, name)`,
 *   `getattr(hashlib, name)`) from a function parameter of task code (or, in a plain scan, from
 *   remote input: a library's `digestmod` parameter is its caller's choice), unless a guard that restricts the name to an
 *   allow-list of strong algorithms dominates the use. A check against `hashlib.algorithms_available`
 *   is not such a guard: it admits md5 and sha1.
 * - Weak ciphers (DES, 3DES, RC2, RC4, Blowfish, IDEA, CAST5, XOR), ECB mode, RSA/DSA keys < 2048 bits.
 */
import type { Finding } from "../../finding.js";
import { guardsAt } from "./dominance.js";
import { callArgs, DefUse, enclosingFunction, isStringLiteral, namesIn, ofTypes, unwrap, words, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { finding, liveNodesOfType, parametersAreInput, type CheckInput } from "./types.js";
import { derivesFromUntrusted } from "./remote-input.js";
import { comparisons, constantString, dominatedByAllowList, moduleStringCollections, parameterNames, resolveCollection } from "./values.js";

/** Strong hash names accepted by default (lower case, both spellings hashlib accepts). */
export const SECURE_HASHES = [
  "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256", "sha-224", "sha-256", "sha-384", "sha-512",
  "sha3_224", "sha3_256", "sha3_384", "sha3_512", "sha3-224", "sha3-256", "sha3-384", "sha3-512",
  "blake2b", "blake2s", "shake_128", "shake_256",
  // A misspelling seen in the wild ("sha244") names no algorithm: hashlib.new rejects it, so it admits nothing weak.
  "sha244",
];
const WEAK_HASHES = new Set(["md2", "md4", "md5", "md5-sha1", "sha", "sha1", "sha-1", "ripemd160", "ripemd", "sm3", "mdc2", "whirlpool"]);
const WEAK_CIPHERS = new Set(["DES", "DES3", "TripleDES", "ARC2", "ARC4", "RC2", "RC4", "Blowfish", "IDEA", "CAST5", "CAST", "XOR", "SEED"]);
const SECURITY_WORDS = new Set(["password", "passwd", "pwd", "pass", "secret", "token", "sign", "signature", "sig", "auth", "key", "salt", "credential", "credentials", "hmac", "session", "otp", "nonce", "api", "login", "verify", "mac"]);

const NAME = "weak_cryptographic_algorithm";

export function checkWeakCrypto(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const allowed = new Set((input.context.allowedHashes ?? SECURE_HASHES).map((h) => h.toLowerCase()));
  const isStrong = (name: string) => allowed.has(name.toLowerCase());
  const collections = moduleStringCollections(input.module.root);
  const defUse = new Map<number, DefUse>();
  const duFor = (fn: Node) => {
    let du = defUse.get(fn.id);
    if (!du) defUse.set(fn.id, (du = new DefUse(fn)));
    return du;
  };

  for (const node of liveNodesOfType(input, ["call", "attribute"])) {
    if (node.type === "attribute" && node.parent?.type !== "call") {
      // A weak constructor passed as a value: hmac.new(key, msg, hashlib.md5).
      const q = qualifiedName(node, input.aliases);
      if (q && /^hashlib\.(\w+)$/.test(q) && WEAK_HASHES.has(q.split(".")[1]!.toLowerCase()) && isHashArgument(node)) {
        out.push(finding(input, node, spec(`Weak hash ${q} used as a digest (use SHA-256 or better)`, true)));
      }
      continue;
    }
    if (node.type !== "call") continue;
    const callee = qualifiedCallee(node, input.aliases);
    if (!callee) continue;
    const args = callArgs(node);
    const fn = enclosingFunction(node);

    const direct = /^hashlib\.(\w+)$/.exec(callee);
    if (direct && WEAK_HASHES.has(direct[1]!.toLowerCase())) {
      if (usedNotForSecurity(args.keywords.get("usedforsecurity"))) continue;
      if (!securityPurpose(node, fn) && namesAFile(node, fn)) continue;
      out.push(finding(input, node, spec(`Weak hash ${callee}() (${purposeNote(node, fn)}); use SHA-256 or better, or pass usedforsecurity=False for non-security digests`, securityPurpose(node, fn))));
      continue;
    }

    const algorithmArg = algorithmArgument(callee, args);
    // getattr(hashlib, name) only builds a constructor; the use that hashes is where it is called
    // (directly here, or later through the variable, which the def-use closure follows).
    const invokedNow = callee !== "getattr" || node.parent?.type === "call";
    if (algorithmArg && invokedNow) {
      if (usedNotForSecurity(args.keywords.get("usedforsecurity"))) continue;
      const du = fn ? duFor(fn) : null;
      const constant = constantString(algorithmArg, du);
      if (constant !== null) {
        if (WEAK_HASHES.has(constant.toLowerCase())) out.push(finding(input, node, spec(`Weak hash algorithm "${constant}" passed to ${callee}()`, true)));
        continue;
      }
      if (unwrap(algorithmArg).type === "attribute") continue; // handled as an attribute value above
      if (!fn || !du) continue;
      const params = parameterNames(fn);
      // Names the algorithm value derives from, back to the parameters it came from.
      const origin = du.closure(namesIn(algorithmArg));
      const fromParams = [...origin].filter((n) => params.has(n));
      // In a plain scan a parameter is the caller's own choice (hmac.new(key, msg, digestmod) lets
      // its caller pick): reported only when an outsider's value reaches it.
      const chosenByOutsider = parametersAreInput(input.context) ? fromParams.length > 0 : derivesFromUntrusted(algorithmArg, input);
      if (!chosenByOutsider) continue;
      if (dominatedByAllowList(node, origin, du, collections, isStrong)) continue;
      if (dominatedByDenyList(node, origin, du, collections)) continue;
      out.push(
        finding(input, node, {
          cwe: 327,
          name: NAME,
          severity: "MEDIUM",
          confidence: "MEDIUM",
          text: `Hash algorithm for ${callee}() comes from ${fromParams.length > 0 ? `parameter ${fromParams.join(", ")}` : "request data"} without an allow-list of strong algorithms dominating it; md5/sha1 would be accepted`,
        }),
      );
      continue;
    }

    const cipher = weakCipher(callee);
    if (cipher) {
      out.push(finding(input, node, { cwe: 327, name: NAME, severity: "HIGH", confidence: "HIGH", text: `Weak cipher ${cipher} (${callee}); use AES-GCM or ChaCha20-Poly1305` }));
      continue;
    }
    if (/(^|\.)modes\.ECB$/.test(callee)) {
      out.push(finding(input, node, { cwe: 327, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: "ECB mode leaks plaintext patterns; use an authenticated mode (GCM)" }));
      continue;
    }
    if (/(^|\.)(Cipher\.\w+|AES)\.new$/.test(callee) && node.childForFieldName("arguments")?.namedChildren.some((a) => /\bMODE_ECB$/.test(a.text))) {
      out.push(finding(input, node, { cwe: 327, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: "ECB mode leaks plaintext patterns; use an authenticated mode (GCM/EAX)" }));
      continue;
    }
    const keyBits = weakKeySize(callee, args);
    if (keyBits !== null) {
      out.push(finding(input, node, { cwe: 326, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: `Key size ${keyBits} bits is too small for ${callee}; use at least 2048` }));
    }
  }
  return out;
}

/**
 * A deny-list guard that rejects at least md5 and sha1 (`if name in ("md5", "sha1"): raise`) is a
 * weaker but acceptable fix: the two weak names a caller would realistically pick are refused.
 */
function dominatedByDenyList(node: Node, names: Set<string>, du: DefUse, collections: Map<string, string[]>): boolean {
  for (const guard of guardsAt(node)) {
    for (const cmp of comparisons(guard.condition)) {
      const rejects = (cmp.op === "in" && !guard.holds) || (cmp.op === "not in" && guard.holds);
      if (!rejects || ![...namesIn(cmp.left)].some((n) => names.has(n))) continue;
      const values = resolveCollection(cmp.right, du, collections)?.map((v) => v.toLowerCase()) ?? [];
      if (values.includes("md5") && values.includes("sha1")) return true;
    }
  }
  return false;
}

function spec(text: string, security: boolean) {
  return { cwe: 327, name: NAME, severity: security ? ("HIGH" as const) : ("MEDIUM" as const), confidence: security ? ("HIGH" as const) : ("MEDIUM" as const), text };
}

function qualifiedName(attr: Node, aliases: Map<string, string>): string | null {
  const text = attr.text.replace(/\s+/g, "");
  if (!/^[\w.]+$/.test(text)) return null;
  const [head, ...rest] = text.split(".");
  const resolved = aliases.get(head!);
  return resolved ? [resolved, ...rest].join(".") : text;
}

function isHashArgument(attr: Node): boolean {
  const parent = attr.parent;
  if (parent?.type === "keyword_argument") return ["digestmod", "digest", "hashfunc", "algorithm"].includes(parent.childForFieldName("name")?.text ?? "");
  if (parent?.type === "argument_list") return true;
  return parent?.type === "assignment";
}

function usedNotForSecurity(value: Node | undefined): boolean {
  return value !== undefined && unwrap(value).type === "false";
}

/** The argument that names a hash algorithm for calls that take one by name. */
function algorithmArgument(callee: string, args: ReturnType<typeof callArgs>): Node | null {
  switch (callee) {
    case "hashlib.new":
      return args.keywords.get("name") ?? args.positional[0] ?? null;
    case "hmac.new":
      return args.keywords.get("digestmod") ?? args.positional[2] ?? null;
    case "hmac.digest":
      return args.keywords.get("digest") ?? args.positional[2] ?? null;
    case "hashlib.pbkdf2_hmac":
      return args.keywords.get("hash_name") ?? args.positional[0] ?? null;
    case "getattr": {
      const target = args.positional[0];
      return target && target.text === "hashlib" ? (args.positional[1] ?? null) : null;
    }
    default:
      return null;
  }
}

function weakCipher(callee: string): string | null {
  const parts = callee.split(".");
  // pycryptodome: Crypto.Cipher.DES.new / Cryptodome.Cipher.ARC4.new
  if (parts.length >= 2 && parts[parts.length - 1] === "new" && WEAK_CIPHERS.has(parts[parts.length - 2]!) && (parts.includes("Cipher") || parts.length === 2)) return parts[parts.length - 2]!;
  // cryptography: algorithms.TripleDES(key)
  if (parts.length >= 2 && parts[parts.length - 2] === "algorithms" && WEAK_CIPHERS.has(parts[parts.length - 1]!)) return parts[parts.length - 1]!;
  // pyDes.des / pyDes.triple_des
  if (/^pyDes\.(des|triple_des)$/.test(callee)) return "DES";
  return null;
}

function weakKeySize(callee: string, args: ReturnType<typeof callArgs>): number | null {
  let size: Node | undefined;
  if (/(^|\.)(rsa|dsa)\.generate_private_key$/.test(callee)) size = args.keywords.get("key_size") ?? args.positional[1];
  else if (/(^|\.)(RSA|DSA)\.generate$/.test(callee)) size = args.keywords.get("bits") ?? args.positional[0];
  if (!size || unwrap(size).type !== "integer") return null;
  const bits = Number(unwrap(size).text.replace(/_/g, ""));
  return bits < 2048 ? bits : null;
}

/** Does the digest look like a security control (by the names around it)? */
function securityPurpose(call: Node, fn: Node | null): boolean {
  const names = new Set<string>();
  if (fn) names.add(fn.childForFieldName("name")?.text ?? "");
  for (const a of call.childForFieldName("arguments")?.namedChildren ?? []) if (!isStringLiteral(a)) for (const n of namesIn(a)) names.add(n);
  let p: Node | null = call.parent;
  while (p && p.type !== "assignment" && p.type !== "block") p = p.parent;
  if (p?.type === "assignment") names.add(p.childForFieldName("left")?.text ?? "");
  for (const n of names) for (const w of words(n)) if (SECURITY_WORDS.has(w)) return true;
  return false;
}

/**
 * A digest that names something rather than protects it: a cache file's name built from a URL, a
 * name-based UUID (RFC 4122 fixes SHA-1 for version 5). Decided by what it is computed from and
 * where it goes (the names of the input, of the variable it lands in, of the function returning it,
 * and a `UUID(...)` built from it); a digest with any security word around it is never this.
 */
const NAMING = /^(filename|filenames|file|files|path|paths|url|uri|cache|cached|etag|safename|uuid\d?|dedup|shard|bucket)$/;
function namesAFile(call: Node, fn: Node | null): boolean {
  const names = new Set<string>();
  if (fn) names.add(fn.childForFieldName("name")?.text ?? "");
  for (const a of call.childForFieldName("arguments")?.namedChildren ?? []) for (const n of namesIn(a)) names.add(n);
  let p: Node | null = call.parent;
  while (p && p.type !== "assignment" && p.type !== "block") p = p.parent;
  const target = p?.type === "assignment" ? p.childForFieldName("left")?.text : undefined;
  if (target) names.add(target);
  if (fn && target && /^\w+$/.test(target)) {
    for (const c of ofTypes(fn, ["call"], { intoFunctions: false })) {
      if (/(^|\.)UUID$/.test(c.childForFieldName("function")?.text ?? "") && namesIn(c).has(target)) return true;
    }
  }
  return [...names].some((n) => words(n).some((w) => NAMING.test(w)) || NAMING.test(n.toLowerCase()));
}

function purposeNote(call: Node, fn: Node | null): string {
  return securityPurpose(call, fn) ? "used for a security value" : "purpose unclear";
}
