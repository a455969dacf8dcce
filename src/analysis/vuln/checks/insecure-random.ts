/**
 * CWE-330/338: predictable randomness for security values.
 *
 * A call into the `random` module's shared Mersenne Twister (`random.choice`, `randint`,
 * `getrandbits`, `choices`, `sample`, `random()`...) whose result makes a security value. "Security
 * value" is decided by the words of the names around it: the enclosing function's name, the variable
 * the result is stored in (or any variable derived from it), and the keyword it is passed as, when any
 * says token, password, key, salt, otp, nonce, session, secret, csrf, pin, reset, api, auth, code
 * or similar. `secrets`, `os.urandom` and `random.SystemRandom()` are the fixes and are never
 * reported. Where the value goes decides too, whatever the names: into a cookie (`set_cookie`), the
 * session (`session[...] = `, any mapping named `...session`), an auth or API-key header, a password setter/hasher, a URL query
 * parameter that carries a token, or a cipher/HMAC key. Limits: a security value built through
 * helper functions with neutral names and no such sink in the same function is missed; a function
 * named e.g. `shuffle_api_results` using `random.shuffle` is reported.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeTail, DefUse, enclosingFunction, functionName, namesIn, ofTypes, stringValue, targetNames, words, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { defUseOf, finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "insecure_randomness";
// The module-level functions of `random`, all drawn from one shared Mersenne Twister: its state can
// be recovered from 624 outputs of any of them, the distributions included.
const RANDOM_FUNCS = new Set([
  "random", "randint", "randrange", "choice", "choices", "sample", "shuffle", "getrandbits", "uniform", "randbytes", "triangular", "gauss",
  "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "betavariate", "paretovariate", "weibullvariate", "binomialvariate",
]);
const SECURITY_WORDS = new Set([
  "token", "password", "passwd", "pwd", "passphrase", "key", "salt", "otp", "nonce", "session", "sid", "secret", "csrf", "xsrf", "pin",
  "reset", "api", "apikey", "auth", "credential", "iv", "captcha", "verification", "activation", "invite", "coupon", "voucher", "cookie", "signature", "totp", "hotp", "mfa", "2fa",
]);
/**
 * Where the value ends up when it is not a secret: a MIME boundary or delimiter, a sort or sampling
 * weight, a delay. A "token" that becomes a `boundary` separates parts; a `weight_key` orders them.
 * (A PRNG `seed` is not listed above: seeding `random` for reproducible runs is what seeds are for.)
 */
const NEUTRAL_PURPOSE = new Set(["boundary", "delimiter", "separator", "weight", "weights", "jitter", "backoff", "delay", "sleep", "color", "colour"]);
/** Words that make a following `key` a secret (`api_key`); after any other word it is a lookup or sort key (`weight_key`). */
const KEY_QUALIFIERS = new Set(["api", "secret", "private", "access", "session", "signing", "encryption", "crypto", "aes", "hmac", "master", "auth", "license", "activation", "shared", "symmetric"]);

export function checkInsecureRandom(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const duCache = new Map<number, DefUse>();
  for (const node of liveNodesOfType(input, ["call"])) {
    if (node.type !== "call") continue;
    const callee = qualifiedCallee(node, input.aliases) ?? "";
    const m = /^(numpy\.)?random\.(\w+)$/.exec(callee);
    if (!m || !RANDOM_FUNCS.has(m[2]!)) continue;
    const fn = enclosingFunction(node);
    let du: DefUse | null = null;
    if (fn) {
      du = defUseOf(input, fn);
      duCache.set(fn.id, du);
    }
    const why = securityUse(node, fn, du);
    if (!why) continue;
    out.push(
      finding(input, node, {
        cwe: 338,
        name: NAME,
        severity: "MEDIUM",
        confidence: "MEDIUM",
        text: `${callee}() is predictable (Mersenne Twister) but makes a security value (${why}); use the secrets module or random.SystemRandom()`,
      }),
    );
  }
  return out;
}

function securityUse(call: Node, fn: Node | null, du: DefUse | null): string | null {
  return securitySink(call, fn, du) ?? securityName(call, fn, du);
}

/** Calls whose arguments become a credential, a key or a value the client presents back to us. */
const SINK_CALLS = new Set([
  "set_cookie", "set_signed_cookie", "set_password", "make_password", "hash_password", "generate_password_hash", "hashpw",
  "login_user", "create_access_token", "encode_cookie",
]);
/** Constructors that take their first argument as key material. */
const KEY_CALLS = new Set(["new", "Fernet", "HMAC", "AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3"]);
const HEADER_KEY = /^(authorization|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token|cookie|set-cookie|proxy-authorization)$/i;
const URL_TOKEN = /[?&](token|key|api_key|apikey|auth|session|sid|code|reset|otp|nonce|secret|signature|sig)=/i;

/**
 * Where the random value (the call itself, or any variable derived from it in the same function)
 * ends up: the sinks above make it a security value whatever the surrounding names say.
 */
function securitySink(call: Node, fn: Node | null, du: DefUse | null): string | null {
  const carriers = new Set<string>();
  let p: Node | null = call.parent;
  while (p && !["assignment", "augmented_assignment", "block", "module"].includes(p.type)) p = p.parent;
  if (p?.type === "assignment" || p?.type === "augmented_assignment") {
    const left = p.childForFieldName("left");
    if (left) for (const t of targetNames(left)) carriers.add(t);
  }
  const derived = du && carriers.size > 0 ? du.derivedFrom(carriers) : carriers;
  const carries = (expr: Node | null | undefined): boolean => {
    if (!expr) return false;
    if (expr.startIndex <= call.startIndex && call.endIndex <= expr.endIndex) return true;
    for (const n of namesIn(expr)) if (derived.has(n)) return true;
    return false;
  };
  const scope = fn ?? rootOf(call);
  for (const n of ofTypes(scope, ["call", "assignment", "string"], { intoFunctions: false })) {
    if (n.type === "call") {
      const tail = calleeTail(n);
      const args = callArgs(n);
      if (SINK_CALLS.has(tail) && [...args.positional, ...args.keywords.values()].some(carries)) return `flows into ${tail}()`;
      const key = args.keywords.get("key") ?? (KEY_CALLS.has(tail) && (tail !== "new" || /^(AES|DES3?|ARC4|Blowfish|ChaCha20|hmac)\b/.test(n.childForFieldName("function")?.text ?? "")) ? args.positional[0] : undefined);
      if (key && carries(key)) return `used as key material in ${tail}()`;
    } else if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      const right = n.childForFieldName("right");
      if (left?.type !== "subscript" || !carries(right)) continue;
      const obj = left.childForFieldName("value")?.text ?? "";
      const sub = left.childForFieldName("subscript");
      const keyText = sub ? stringValue(sub) ?? "" : "";
      // A session store by what it is named as a whole (`session`, `request.session`,
      // `user_session`): a mapping whose entries the client is recognised by.
      if (/session$/i.test(obj.split(".").at(-1) ?? "")) return "stored in the session";
      if (/(^|\.)(headers|cookies)$/.test(obj) && (obj.endsWith("cookies") || HEADER_KEY.test(keyText))) return `sent as ${keyText || obj}`;
    } else if (n.type === "string" && URL_TOKEN.test(n.text) && n.parent && carries(n.parent.type === "binary_operator" ? n.parent : n)) {
      return "carried as a URL token";
    }
  }
  return null;
}

function rootOf(node: Node): Node {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function securityName(call: Node, fn: Node | null, du: DefUse | null): string | null {
  const names: string[] = [];
  // The variable(s) the result lands in, and everything derived from them.
  let p: Node | null = call.parent;
  while (p && !["assignment", "augmented_assignment", "keyword_argument", "return_statement", "block", "module"].includes(p.type)) p = p.parent;
  if (p?.type === "assignment" || p?.type === "augmented_assignment") {
    const left = p.childForFieldName("left");
    const targets = left ? targetNames(left) : [];
    names.push(...targets, ...(left && targets.length === 0 ? [...namesIn(left)] : []));
    if (left && left.type === "subscript") names.push(left.childForFieldName("subscript")?.text.replace(/['"]/g, "") ?? "");
    if (du) names.push(...du.derivedFrom(targets));
  } else if (p?.type === "keyword_argument") names.push(p.childForFieldName("name")?.text ?? "");
  if (fn) names.push(functionName(fn));
  if (names.some((n) => words(n).some((w) => NEUTRAL_PURPOSE.has(w)))) return null;
  for (const n of names) {
    const w = words(n);
    const hit = w.findIndex((x, i) => SECURITY_WORDS.has(x) && (x !== "key" || i === 0 || KEY_QUALIFIERS.has(w[i - 1]!)));
    if (hit >= 0) return `'${n}'`;
  }
  return null;
}
