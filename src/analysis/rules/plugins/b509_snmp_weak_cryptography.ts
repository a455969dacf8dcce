import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B509: pysnmp UsmUserData without both auth and priv keys (noAuthNoPriv / authNoPriv). */
export const b509SnmpWeakCryptography: Rule = {
  id: "B509",
  name: "snmp_crypto_check",
  cwe: 319,
  severity: "MEDIUM",
  description: "pysnmp UsmUserData with fewer than three positional arguments, i.e. SNMPv3 without encryption.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["pysnmp.hlapi.UsmUserData"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (call.qualname !== "pysnmp.hlapi.UsmUserData" || call.argCount >= 3) return null;
    return { severity: "MEDIUM", confidence: "HIGH", message: "SNMPv3 is used without privacy (encryption); noAuthNoPriv and authNoPriv are insecure." };
  },
};
