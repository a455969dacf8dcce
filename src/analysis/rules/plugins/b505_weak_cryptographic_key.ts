import type { Severity } from "../../finding.js";
import type { Rule, RuleHit, RuleOptions } from "../types.js";
import type { BanditCall, BanditLiteral } from "./util/bandit.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

type KeyType = "DSA" | "RSA" | "EC";

const DEFAULTS = {
  weak_key_size_dsa_high: 1024,
  weak_key_size_dsa_medium: 2048,
  weak_key_size_rsa_high: 1024,
  weak_key_size_rsa_medium: 2048,
  weak_key_size_ec_high: 160,
  weak_key_size_ec_medium: 224,
};

// Tables keyed by names from the scanned code are Maps: a plain object would answer
// `constructor` or `toString` from Object.prototype.
const CRYPTOGRAPHY_FUNCS = new Map<string, KeyType>([
  ["cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key", "DSA"],
  ["cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key", "RSA"],
  ["cryptography.hazmat.primitives.asymmetric.ec.generate_private_key", "EC"],
]);
const CRYPTOGRAPHY_SIZE_POSITION: Record<KeyType, number> = { DSA: 0, RSA: 1, EC: 0 };

const PYCRYPTO_FUNCS = new Map<string, KeyType>([
  ["Crypto.PublicKey.DSA.generate", "DSA"],
  ["Crypto.PublicKey.RSA.generate", "RSA"],
  ["Cryptodome.PublicKey.DSA.generate", "DSA"],
  ["Cryptodome.PublicKey.RSA.generate", "RSA"],
]);

const CURVE_SIZES = new Map<string, number>(Object.entries({
  SECT571K1: 571, SECT571R1: 570, SECP521R1: 521, BrainpoolP512R1: 512,
  SECT409K1: 409, SECT409R1: 409, BrainpoolP384R1: 384, SECP384R1: 384,
  SECT283K1: 283, SECT283R1: 283, BrainpoolP256R1: 256, SECP256K1: 256, SECP256R1: 256,
  SECT233K1: 233, SECT233R1: 233, SECP224R1: 224, SECP192R1: 192, SECT163K1: 163, SECT163R2: 163,
}));

function threshold(options: RuleOptions, key: keyof typeof DEFAULTS): number {
  const v = options[key];
  return typeof v === "number" ? v : DEFAULTS[key];
}

/** Python's `a or b`: the first truthy value. */
function pyOr(...values: (BanditLiteral | undefined)[]): BanditLiteral | undefined {
  for (const v of values) {
    if (v === undefined || v === null || v === 0 || v === "") continue;
    if (Array.isArray(v) && v.length === 0) continue;
    return v;
  }
  return values[values.length - 1];
}

function classify(options: RuleOptions, type: KeyType, size: BanditLiteral | undefined): RuleHit | null {
  // A size given through a variable (a name) cannot be judged; Bandit skips it.
  if (typeof size !== "number") return null;
  const lower = type.toLowerCase() as "dsa" | "rsa" | "ec";
  const levels: [number, Severity][] = [
    [threshold(options, `weak_key_size_${lower}_high`), "HIGH"],
    [threshold(options, `weak_key_size_${lower}_medium`), "MEDIUM"],
  ];
  for (const [limit, severity] of levels) {
    if (size < limit) {
      return { severity, confidence: "HIGH", message: `${type} keys shorter than ${limit} bits can be broken.` };
    }
  }
  return null;
}

function cryptographyIo(call: BanditCall, options: RuleOptions): RuleHit | null {
  const type = CRYPTOGRAPHY_FUNCS.get(call.qualname);
  if (!type) return null;
  const pos = CRYPTOGRAPHY_SIZE_POSITION[type];
  if (type !== "EC") return classify(options, type, pyOr(call.keywordValue("key_size"), call.argAt(pos), 2048));
  const values = call.argValues();
  const curve = pyOr(call.keywordValue("curve"), values.length > pos ? values[pos] : undefined);
  const size = (typeof curve === "string" ? CURVE_SIZES.get(curve) : undefined) ?? 224;
  return classify(options, type, size);
}

function pycrypto(call: BanditCall, options: RuleOptions): RuleHit | null {
  const type = PYCRYPTO_FUNCS.get(call.qualname);
  if (!type) return null;
  return classify(options, type, pyOr(call.keywordValue("bits"), call.argAt(0), 2048));
}

/** B505: RSA/DSA/EC keys generated with a size too small to resist attack. */
export const b505WeakCryptographicKey: Rule = {
  id: "B505",
  name: "weak_cryptographic_key",
  cwe: 326,
  severity: "HIGH",
  description: "An RSA/DSA key below 2048 bits (HIGH below 1024) or an EC key on a curve below 224 bits.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf([...CRYPTOGRAPHY_FUNCS.keys(), ...PYCRYPTO_FUNCS.keys()]),
  defaultOptions: { ...DEFAULTS },
  check(node, ctx) {
    const call = banditCall(node, ctx);
    return cryptographyIo(call, ctx.options) ?? pycrypto(call, ctx.options);
  },
};
