import { formatSarif, type ScanReport } from "../analysis/scan/index.js";
import type { SampleResult } from "../verify/types.js";

/** A path-safe segment: task ids and model names may hold slashes or odd characters. */
function segment(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120) || "_";
}

/** Where a sample's findings point in SARIF: a virtual file per sample, so viewers group them. */
export function sampleArtifact(r: Pick<SampleResult, "model" | "dataset" | "task_id" | "sample_index">): string {
  return `samples/${segment(r.model)}/${segment(r.dataset)}/${segment(r.task_id)}/${r.sample_index}.py`;
}

/** Every finding of every sample, through the scanner's SARIF 2.1.0 formatter (taint paths as codeFlows). */
export function findingsSarif(results: readonly SampleResult[], toolVersion: string, baseDir: string): string {
  const report: ScanReport = {
    results: results.flatMap((r) => r.findings.map((f) => ({ ...f, filename: sampleArtifact(r) }))),
    errors: [],
    metrics: {},
    generated_at: new Date().toISOString(),
    filesScanned: results.filter((r) => r.code !== null).length,
  };
  return formatSarif(report, toolVersion, baseDir);
}
