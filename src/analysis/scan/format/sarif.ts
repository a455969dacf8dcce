import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, Severity } from "../../finding.js";
import { moreInfoUrl, ruleMeta } from "../../rules/index.js";
import type { ScanReport } from "../scanner.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { HIGH: "error", MEDIUM: "warning", LOW: "note" };
// GitHub code scanning buckets: >= 7 high, >= 4 medium, else low.
const SECURITY_SEVERITY: Record<Severity, string> = { HIGH: "7.5", MEDIUM: "5.0", LOW: "2.0" };

/** A repository-relative URI when the file is under the working directory, else a file:// URI. */
function artifactUri(filename: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = resolve(cwd, filename);
  const rel = relative(cwd, abs);
  if (!rel.startsWith("..") && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
  return { uri: pathToFileURL(abs).href };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; "security-severity": string };
}

function ruleFor(f: Finding): SarifRule {
  const meta = f.analyzer === "rules" ? ruleMeta(f.test_id) : undefined;
  const severity = meta?.severity ?? f.issue_severity;
  const description = meta?.description ?? f.issue_text;
  const helpUri = f.more_info || (meta ? moreInfoUrl(meta) : undefined);
  const cwe = f.issue_cwe.id;
  return {
    id: f.test_id,
    name: f.test_name,
    shortDescription: { text: `${f.test_id}: ${f.test_name}` },
    fullDescription: { text: description },
    help: {
      text: `${description}${cwe ? ` (CWE-${cwe})` : ""}${helpUri ? `\n${helpUri}` : ""}`,
      markdown: `${description}${cwe ? ` ([CWE-${cwe}](${f.issue_cwe.link}))` : ""}${helpUri ? `\n\n[More information](${helpUri})` : ""}`,
    },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: ["security", f.analyzer, ...(cwe ? [`external/cwe/cwe-${cwe}`] : [])],
      precision: "medium",
      "security-severity": SECURITY_SEVERITY[severity],
    },
  };
}

/**
 * SARIF 2.1.0 for GitHub code scanning; taint paths become codeFlows. A merged finding is one
 * result under the rule's id, the merged ids in `properties.also_reported_by`.
 */
export function formatSarif(report: ScanReport, toolVersion: string, cwd = process.cwd()): string {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const results = report.results.map((f) => {
    let idx = ruleIndex.get(f.test_id);
    if (idx === undefined) {
      idx = rules.length;
      ruleIndex.set(f.test_id, idx);
      rules.push(ruleFor(f));
    }
    const location = artifactUri(f.filename, cwd);
    const lastLine = f.line_range[f.line_range.length - 1] ?? f.line_number;
    const region: Record<string, unknown> = { startLine: f.line_number, startColumn: f.col_offset + 1 };
    if (lastLine >= f.line_number) {
      region.endLine = lastLine;
      if (lastLine > f.line_number || f.end_col_offset > f.col_offset) region.endColumn = f.end_col_offset + 1;
    }
    const result: Record<string, unknown> = {
      ruleId: f.test_id,
      ruleIndex: idx,
      level: LEVEL[f.issue_severity],
      message: { text: f.issue_text },
      locations: [{ physicalLocation: { artifactLocation: location, region } }],
      properties: {
        issue_severity: f.issue_severity,
        issue_confidence: f.issue_confidence,
        analyzer: f.analyzer,
        ...(f.also_reported_by ? { also_reported_by: f.also_reported_by.map((a) => a.test_id) } : {}),
      },
    };
    const flow = f.flow ?? f.also_reported_by?.find((a) => a.flow)?.flow;
    if (flow && flow.length > 0) {
      result.codeFlows = [
        {
          threadFlows: [
            {
              locations: flow.map((s) => ({
                location: {
                  physicalLocation: { artifactLocation: location, region: { startLine: s.line, startColumn: s.col + 1 } },
                  message: { text: s.message },
                },
              })),
            },
          ],
        },
      ];
    }
    return result;
  });
  const doc = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "securecoderl", informationUri: "https://github.com/securecoderl/securecoderl", semanticVersion: toolVersion, version: toolVersion, rules } },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(cwd + sep).href } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.errors.map((e) => ({
              level: "warning",
              message: { text: `${e.reason}${e.detail ? `: ${e.detail}` : ""}` },
              locations: [{ physicalLocation: { artifactLocation: artifactUri(e.filename, cwd) } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
