/**
 * One static-analysis finding, shaped after Bandit's JSON result so that `scan --format json`
 * is Bandit's schema plus `analyzer` (and `flow` for taint findings).
 */
export type Severity = "LOW" | "MEDIUM" | "HIGH";
export type Confidence = "LOW" | "MEDIUM" | "HIGH";
export type AnalyzerName = "rules" | "vuln" | "types";

export const SEVERITY_ORDER: Record<Severity | "UNDEFINED", number> = { UNDEFINED: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

export interface CweRef {
  id: number;
  link: string;
}

/** One step of a source-to-sink path, rendered as a SARIF threadFlow location. */
export interface FlowStep {
  line: number;
  col: number;
  /** What happens at this step: "source: request.args", "assigned to q", "sink: cursor.execute". */
  message: string;
}

export interface Finding {
  analyzer: AnalyzerName;
  filename: string;
  test_id: string;
  test_name: string;
  issue_severity: Severity;
  issue_confidence: Confidence;
  issue_cwe: CweRef;
  issue_text: string;
  line_number: number;
  line_range: number[];
  col_offset: number;
  end_col_offset: number;
  code: string;
  more_info?: string;
  /** Taint findings: the source-to-sink path, first step the source, last the sink. */
  flow?: FlowStep[];
}

// A scan reports thousands of findings over a few dozen CWEs: share one frozen reference per id.
const cweRefs = new Map<number, CweRef>();

export function cweRef(id: number): CweRef {
  let ref = cweRefs.get(id);
  if (!ref) {
    ref = Object.freeze({ id, link: `https://cwe.mitre.org/data/definitions/${id}.html` });
    cweRefs.set(id, ref);
  }
  return ref;
}
