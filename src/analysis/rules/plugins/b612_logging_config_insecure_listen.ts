import type { Rule } from "../types.js";
import { banditCall } from "./util/bandit.js";
import { callsOneOf } from "./util/triggers.js";

/** B612: logging.config.listen without verify= accepts and evals arbitrary configuration. */
export const b612LoggingConfigInsecureListen: Rule = {
  id: "B612",
  name: "logging_config_insecure_listen",
  cwe: 94,
  severity: "MEDIUM",
  description: "logging.config.listen() without a verify function, which lets anyone on the port run code.",
  nodeTypes: ["call"],
  appliesTo: callsOneOf(["logging.config.listen"]),
  check(node, ctx) {
    const call = banditCall(node, ctx);
    if (call.qualname !== "logging.config.listen" || call.hasKeyword("verify")) return null;
    return { severity: "MEDIUM", confidence: "HIGH", message: "logging.config.listen() without verify= applies any configuration sent to it, which can run code." };
  },
};
