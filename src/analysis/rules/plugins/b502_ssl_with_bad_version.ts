import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { SSL_CONFIG_KEY, badProtocolVersions, DEFAULT_BAD_PROTOCOL_VERSIONS } from "./util/ssl.js";
import { mentionsAny } from "./util/triggers.js";

/** B502: SSL/TLS objects created with a known-broken protocol version. */
export const b502SslWithBadVersion: Rule = {
  id: "B502",
  name: "ssl_with_bad_version",
  cwe: 327,
  severity: "HIGH",
  description: "An SSL/TLS protocol version known to be insecure (SSLv2/3, TLSv1.0/1.1) is requested.",
  nodeTypes: ["call"],
  appliesTo: (source) => mentionsAny(source, ["method", "ssl_version"]),
  configKey: SSL_CONFIG_KEY,
  defaultOptions: { bad_protocol_versions: DEFAULT_BAD_PROTOCOL_VERSIONS },
  check(node, ctx) {
    const bad = badProtocolVersions(ctx.options);
    const call = banditCall(node, ctx);
    if (call.qualname === "ssl.wrap_socket") {
      if (!call.checkKeyword("ssl_version", bad)) return null;
      return {
        severity: "HIGH",
        confidence: "HIGH",
        message: "ssl.wrap_socket asks for an insecure SSL/TLS protocol version.",
        lineNumber: call.keywordLine("ssl_version"),
      };
    }
    if (call.qualname === "pyOpenSSL.SSL.Context") {
      if (!call.checkKeyword("method", bad)) return null;
      return {
        severity: "HIGH",
        confidence: "HIGH",
        message: "SSL.Context is created with an insecure SSL/TLS protocol version.",
        lineNumber: call.keywordLine("method"),
      };
    }
    if (call.checkKeyword("method", bad) || call.checkKeyword("ssl_version", bad)) {
      return {
        severity: "MEDIUM",
        confidence: "MEDIUM",
        message: "A call passes an insecure SSL/TLS protocol version.",
        lineNumber: call.keywordLine("method") ?? call.keywordLine("ssl_version"),
      };
    }
    return null;
  },
};
