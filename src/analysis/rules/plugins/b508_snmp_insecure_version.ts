import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B508: pysnmp CommunityData with SNMP v1/v2c (mpModel 0 or 1). */
export const b508SnmpInsecureVersion: Rule = {
  id: "B508",
  name: "snmp_insecure_version_check",
  cwe: 319,
  severity: "MEDIUM",
  description: "pysnmp CommunityData with mpModel=0 or 1 (SNMPv1/v2c, unauthenticated and unencrypted).",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["pysnmp.hlapi.CommunityData"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (call.qualname !== "pysnmp.hlapi.CommunityData") return null;
    if (!call.checkKeyword("mpModel", 0) && !call.checkKeyword("mpModel", 1)) return null;
    return { severity: "MEDIUM", confidence: "HIGH", message: "SNMPv1/v2c send community strings in clear text; prefer SNMPv3." };
  },
};
