/**
 * CWE-295: TLS certificate validation turned off.
 *
 * The forms HTTP clients and the `ssl` module offer for skipping the peer check (the same sinks
 * Bandit's B501/B323 and Semgrep's "disabled cert validation" rules model):
 * - `verify=False` passed to any call (requests, httpx, aiohttp-style sessions);
 * - `ssl._create_unverified_context()`, or installing it as the default HTTPS context;
 * - `ctx.check_hostname = False`, `ctx.verify_mode = ssl.CERT_NONE`;
 * - `cert_reqs=ssl.CERT_NONE` / `cert_reqs="CERT_NONE"` (urllib3, ssl.wrap_socket).
 * A `verify=` that is not the literal False (a CA bundle path, a config value) is not reported.
 */
import type { Finding } from "../../finding.js";
import { callArgs, qualifiedCallee, unwrap, type Node } from "./ast.js";
import { finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "tls_validation_disabled";

export function checkTlsValidation(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const report = (node: Node, text: string) => out.push(finding(input, node, { cwe: 295, name: NAME, severity: "HIGH", confidence: "HIGH", text }));
  for (const node of liveNodesOfType(input, ["call", "assignment"])) {
    if (node.type === "call") {
      const callee = qualifiedCallee(node, input.aliases) ?? "";
      if (/(^|\.)_create_unverified_context$/.test(callee)) {
        report(node, "ssl._create_unverified_context() accepts any certificate: a man in the middle can read and alter the traffic");
        continue;
      }
      const args = callArgs(node);
      const verify = args.keywords.get("verify");
      if (verify && unwrap(verify).type === "false") report(node, `${callee || "call"}(verify=False) skips certificate validation`);
      const certReqs = args.keywords.get("cert_reqs");
      if (certReqs && isCertNone(certReqs)) report(node, "cert_reqs=CERT_NONE skips certificate validation");
    } else {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right || left.type !== "attribute") continue;
      const attr = left.childForFieldName("attribute")?.text;
      const value = unwrap(right);
      if (attr === "check_hostname" && value.type === "false") report(node, "check_hostname = False accepts a certificate issued for any host");
      else if (attr === "verify_mode" && isCertNone(value)) report(node, "verify_mode = CERT_NONE skips certificate validation");
      else if (attr === "_create_default_https_context" && /_create_unverified_context$/.test(value.text)) report(node, "Every HTTPS connection of the process now accepts any certificate");
    }
  }
  return out;
}

function isCertNone(n: Node): boolean {
  const v = unwrap(n);
  return /(^|\.)CERT_NONE$/.test(v.text) || /^['"]CERT_NONE['"]$/.test(v.text);
}
