import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { httpModule } from "./util/http.js";
import { mentionsAny } from "./util/triggers.js";

/** B501: requests/httpx calls with verify=False. */
export const b501RequestWithNoCertValidation: Rule = {
  id: "B501",
  name: "request_with_no_cert_validation",
  cwe: 295,
  severity: "HIGH",
  description: "A requests or httpx call turns off TLS certificate verification with verify=False.",
  nodeTypes: ["call"],
  appliesTo: (source) => source.includes("verify") && mentionsAny(source, ["requests", "httpx"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const mod = httpModule(call.qualname, call.name);
    if (!mod || !call.checkKeyword("verify", "False")) return null;
    return {
      severity: "HIGH",
      confidence: "HIGH",
      message: `${mod} call passes verify=False, so TLS certificates are not checked.`,
      lineNumber: call.keywordLine("verify"),
    };
  },
};
