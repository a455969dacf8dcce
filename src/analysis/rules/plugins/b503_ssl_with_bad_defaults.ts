import { nodeText, unparenthesize } from "../../python/index.js";
import type { Rule } from "../types.js";
import { isSyncFunctionDef, positionalParams } from "./util/functions.js";
import { SSL_CONFIG_KEY, badProtocolVersions, DEFAULT_BAD_PROTOCOL_VERSIONS } from "./util/ssl.js";

/** B503: a function whose parameter defaults to an insecure SSL/TLS protocol constant. */
export const b503SslWithBadDefaults: Rule = {
  id: "B503",
  name: "ssl_with_bad_defaults",
  cwe: 327,
  severity: "MEDIUM",
  description: "A function parameter defaults to an insecure SSL/TLS protocol version (e.g. ssl.PROTOCOL_SSLv3).",
  nodeTypes: ["function_definition"],
  configKey: SSL_CONFIG_KEY,
  defaultOptions: { bad_protocol_versions: DEFAULT_BAD_PROTOCOL_VERSIONS },
  // A bad default is written as `module.NAME`, so NAME must occur in the text.
  appliesTo: (source, options) => badProtocolVersions(options).some((v) => source.includes(v)),
  check(node, ctx) {
    if (!isSyncFunctionDef(node, ctx.module.source)) return null;
    const bad = badProtocolVersions(ctx.options);
    const src = ctx.module.source;
    // Bandit only qualifies attribute defaults (`ssl.PROTOCOL_TLSv1`); a bare name gives "".
    for (const d of positionalParams(node, src).defaults) {
      const n = unparenthesize(d);
      if (n.type !== "attribute") continue;
      const attr = n.childForFieldName("attribute");
      if (attr && bad.includes(nodeText(attr, src))) {
        return {
          severity: "MEDIUM",
          confidence: "MEDIUM",
          message: "A function defaults to an insecure SSL/TLS protocol version.",
        };
      }
    }
    return null;
  },
};
