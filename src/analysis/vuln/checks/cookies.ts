/**
 * CWE-614 / CWE-1004: cookies without the Secure / HttpOnly attributes.
 *
 * - `response.set_cookie(name, value, ...)` (Flask, Django, Starlette; not a cookie jar's
 *   `set_cookie(cookie_object)`) without `secure=True` (614) or without
 *   `httponly=True` (1004). Calls that pass `**kwargs` are skipped (the flags may be inside).
 * - Framework settings that turn the attributes off: `SESSION_COOKIE_SECURE = False`,
 *   `SESSION_COOKIE_HTTPONLY = False`, `CSRF_COOKIE_SECURE = False`, `REMEMBER_COOKIE_SECURE = False`
 *   (module assignment or `app.config[...]`).
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeTail, stringValue, unwrap, type Node } from "./ast.js";
import { finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "insecure_cookie";

export function checkCookies(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  for (const node of liveNodesOfType(input, ["call", "assignment"])) {
    if (node.type === "call" && calleeTail(node) === "set_cookie") {
      const args = callArgs(node);
      if (args.hasSplat) continue;
      // `jar.set_cookie(cookie)`: a client-side cookie jar (http.cookiejar, requests) storing a
      // received Cookie object, not a response header; responses take a name and a value.
      if (args.positional.length === 1 && args.keywords.size === 0) continue;
      const secure = args.keywords.get("secure");
      const httponly = args.keywords.get("httponly");
      if (!isTrue(secure)) out.push(finding(input, node, { cwe: 614, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: "Cookie set without secure=True: it is also sent over plain HTTP" }));
      if (!isTrue(httponly)) out.push(finding(input, node, { cwe: 1004, name: NAME, severity: "LOW", confidence: "HIGH", text: "Cookie set without httponly=True: page scripts (and XSS) can read it" }));
    } else if (node.type === "assignment") {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (!left || !right || unwrap(right).type !== "false") continue;
      const key = left.type === "subscript" ? stringValue(left.childForFieldName("subscript")!) : left.text.split(".").pop();
      const m = key ? /^(SESSION|CSRF|REMEMBER)_COOKIE_(SECURE|HTTPONLY)$/.exec(key) : null;
      if (m) out.push(finding(input, node, { cwe: m[2] === "SECURE" ? 614 : 1004, name: NAME, severity: "MEDIUM", confidence: "HIGH", text: `${key} = False turns off the cookie's ${m[2] === "SECURE" ? "Secure" : "HttpOnly"} attribute` }));
    }
  }
  return out;
}

function isTrue(n: Node | undefined): boolean {
  return n !== undefined && unwrap(n).type === "true";
}
