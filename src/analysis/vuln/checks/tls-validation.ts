/**
 * CWE-295: TLS certificate validation turned off.
 *
 * The forms HTTP clients and the `ssl` module offer for skipping the peer check (the same sinks
 * Bandit's B501/B323 and Semgrep's "disabled cert validation" rules model):
 * - `verify=False` passed to an HTTP client call: a function of an HTTP library (requests, httpx,
 *   aiohttp, urllib3), a request method on any object (`session.get`, `client.request`, an
 *   adapter's `cert_verify`), or a call given a URL. `verify` is an ordinary keyword elsewhere
 *   (numpy's `array_function_dispatch(verify=False)`, mpmath's `findroot(verify=False)`): there
 *   it checks nothing about certificates.
 * - `ssl._create_unverified_context()`, or installing it as the default HTTPS context;
 * - `ctx.check_hostname = False`, `ctx.verify_mode = ssl.CERT_NONE`;
 * - `cert_reqs=ssl.CERT_NONE` / `cert_reqs="CERT_NONE"` (urllib3, ssl.wrap_socket).
 * A `verify=` that is not the literal False (a CA bundle path, a config value) is not reported.
 * Not reported either: `self.check_hostname = False` (a class giving its own context-like object a
 * default, as urllib3's SSLContext stand-in does; what its users set decides), and turning the
 * check off on a path where there is no host name to check (`if not server_hostname:`), where
 * `check_hostname = True` would only make the handshake raise.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeTail, namesIn, unwrap, words, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { guardsAt } from "./dominance.js";
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
      if (verify && unwrap(verify).type === "false" && isHttpCall(node, callee, args)) report(node, `${callee || "call"}(verify=False) skips certificate validation`);
      const certReqs = args.keywords.get("cert_reqs");
      if (certReqs && isCertNone(certReqs)) report(node, "cert_reqs=CERT_NONE skips certificate validation");
    } else {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right || left.type !== "attribute") continue;
      const attr = left.childForFieldName("attribute")?.text;
      const value = unwrap(right);
      const owner = left.childForFieldName("object");
      if (owner?.type === "identifier" && owner.text === "self") continue;
      if (attr === "check_hostname" && value.type === "false" && !noHostToCheck(node)) report(node, "check_hostname = False accepts a certificate issued for any host");
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

const HTTP_LIBRARIES = /^(requests|httpx|aiohttp|urllib3|treq|niquests|grequests|pip\._vendor\.(requests|urllib3))(\.|$)/;
/** Methods that send a request or configure a connection's certificate check. */
const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "urlopen", "urlretrieve", "cert_verify", "Session", "Client", "AsyncClient", "ClientSession", "TCPConnector", "PoolManager", "ProxyManager", "HTTPSConnectionPool", "HTTPAdapter"]);

/** Is this call an HTTP client's (where `verify` means "check the server's certificate")? */
function isHttpCall(call: Node, callee: string, args: ReturnType<typeof callArgs>): boolean {
  if (HTTP_LIBRARIES.test(callee)) return true;
  if (HTTP_METHODS.has(calleeTail(call))) return true;
  if (args.keywords.has("url")) return true;
  const first = args.positional[0] ? unwrap(args.positional[0]) : null;
  if (!first) return false;
  // functools.partial(requests.get, verify=False) and a literal URL as the first argument.
  if (HTTP_LIBRARIES.test(first.text)) return true;
  return first.type === "string" && /^[rbuf]*['"]https?:\/\//i.test(first.text);
}

/** Dominated by a test that the host name is absent (`if not server_hostname:`, `if host is None:`). */
function noHostToCheck(node: Node): boolean {
  return guardsAt(node).some((g) => {
    const c = unwrap(g.condition);
    let subject: Node | null = null;
    if (c.type === "not_operator" && g.holds) subject = c.childForFieldName("argument");
    else if (c.type === "comparison_operator" && /\bis\s+None$/.test(c.text) && g.holds) subject = c.namedChildren[0] ?? null;
    else if (c.type === "comparison_operator" && /\bis\s+not\s+None$/.test(c.text) && !g.holds) subject = c.namedChildren[0] ?? null;
    else if ((c.type === "identifier" || c.type === "attribute") && !g.holds) subject = c;
    return subject !== null && [...namesIn(subject)].concat(subject.type === "attribute" ? [subject.childForFieldName("attribute")?.text ?? ""] : []).some((n) => words(n).some((w) => w === "hostname" || w === "host" || w === "sni"));
  });
}
