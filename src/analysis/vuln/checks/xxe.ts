/**
 * CWE-611: XML parsers configured to load external entities or DTDs.
 *
 * The taint engine reports untrusted XML reaching lxml's default parser; this check reports the
 * configuration itself, whatever the data, because a parser set up this way reads local files or
 * fetches URLs named inside the document (the settings Semgrep's and CodeQL's XXE rules look for):
 * - lxml `etree.XMLParser(...)` with `resolve_entities=True`,
 *   `load_dtd=True`, `dtd_validation=True` or `no_network=False`;
 * - SAX / pulldom / minidom parsers with `setFeature(feature_external_ges | feature_external_pes, True)`
 *   (the URI strings `http://xml.org/sax/features/external-general-entities` likewise);
 * pyexpat's `SetParamEntityParsing` is not reported: expat fetches nothing itself, it hands external
 * references to the program's ExternalEntityRefHandler. `defusedxml` and the standard library's default parsers (which do not fetch external entities
 * since Python 3.7.1) are not reported; neither are these options set to their safe values.
 */
import type { Finding } from "../../finding.js";
import { callArgs, calleeTail, stringValue, unwrap, type Node } from "./ast.js";
import { qualifiedCallee } from "./callees.js";
import { finding, liveNodesOfType, type CheckInput } from "./types.js";

const NAME = "xml_external_entities";
const UNSAFE_WHEN_TRUE = ["resolve_entities", "load_dtd", "dtd_validation"];
const EXTERNAL_FEATURES = /(^|\.)feature_external_(ges|pes)$|external-(general|parameter)-entities$/;

export function checkXxe(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  const report = (node: Node, text: string) => out.push(finding(input, node, { cwe: 611, name: NAME, severity: "HIGH", confidence: "HIGH", text }));
  for (const call of liveNodesOfType(input, ["call"])) {
    const callee = qualifiedCallee(call, input.aliases) ?? "";
    const tail = calleeTail(call);
    const args = callArgs(call);
    if (/(^|\.)defused/.test(callee)) continue;
    // Only lxml's XMLParser takes these options (the standard library's has no entity switches).
    if (tail === "XMLParser") {
      const enabled = UNSAFE_WHEN_TRUE.filter((k) => truthy(args.keywords.get(k)));
      if (args.keywords.has("no_network") && unwrap(args.keywords.get("no_network")!).type === "false") enabled.push("no_network=False");
      if (enabled.length > 0) report(call, `XML parser created with ${enabled.map((e) => (e.includes("=") ? e : `${e}=True`)).join(", ")}: a document can read local files or fetch URLs through entities and DTDs`);
    } else if (tail === "setFeature") {
      const [feature, value] = args.positional;
      if (!feature || !value || !truthy(value)) continue;
      const name = stringValue(feature) ?? unwrap(feature).text;
      if (EXTERNAL_FEATURES.test(name)) report(call, "External entities turned on for the SAX parser: a document can read local files or fetch URLs through them");
    }
  }
  return out;
}

function truthy(n: Node | undefined): boolean {
  if (!n) return false;
  const v = unwrap(n);
  return v.type === "true" || (v.type === "integer" && v.text !== "0");
}
