import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B504: ssl.wrap_socket without an explicit protocol version. */
export const b504SslWithNoVersion: Rule = {
  id: "B504",
  name: "ssl_with_no_version",
  cwe: 327,
  severity: "LOW",
  description: "ssl.wrap_socket is called without ssl_version, leaving the protocol to a possibly weak default.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["ssl.wrap_socket"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (call.qualname !== "ssl.wrap_socket" || call.checkKeyword("ssl_version") !== null) return null;
    return {
      severity: "LOW",
      confidence: "MEDIUM",
      message: "ssl.wrap_socket has no ssl_version; the default protocol negotiation may allow weak versions.",
      lineNumber: call.keywordLine("ssl_version"),
    };
  },
};
