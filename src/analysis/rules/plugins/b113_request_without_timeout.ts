import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { httpModule } from "./util/http.js";
import { mentionsAny } from "./util/triggers.js";

/** B113: requests/httpx calls with no timeout (or timeout=None) can hang forever. */
export const b113RequestWithoutTimeout: Rule = {
  id: "B113",
  name: "request_without_timeout",
  cwe: 400,
  severity: "MEDIUM",
  description: "A requests call without a timeout, or a requests/httpx call with timeout=None.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["requests", "httpx"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    const mod = httpModule(call.qualname, call.name);
    if (!mod) return null;
    // A timeout whose value is not a literal, name or attribute reads as absent, as in Bandit.
    // httpx has a default timeout, so only requests is flagged for leaving it out.
    if (mod === "requests" && call.checkKeyword("timeout") === null) {
      return { severity: "MEDIUM", confidence: "LOW", message: `${mod} call has no timeout; it may wait forever.` };
    }
    if (call.checkKeyword("timeout", "None")) {
      return { severity: "MEDIUM", confidence: "LOW", message: `${mod} call sets timeout=None; it may wait forever.` };
    }
    return null;
  },
};
