/**
 * The verdict the reward reads, reduced to what must survive a meaning-preserving rewrite: which
 * classes of finding (analyzer, test id, severity, confidence) the rules and the vulnerability
 * detector report under the task's context. Lines, columns and counts move with the code and are
 * not part of it.
 */
import { parsePython, type ParsedModule } from "../python/index.js";
import { scanSource } from "../scan/index.js";
import { runChecks } from "../vuln/checks/index.js";
import { detect } from "../vuln/index.js";

export interface VerdictContext {
  entryFunction?: string;
  cwe?: string;
  /** Also run the CWE checks reading every parameter as attacker input (their fixtures' mode). */
  parametersAreInput?: boolean;
}

export interface Verdict {
  /** Sorted, distinct `analyzer test_id severity/confidence` keys. */
  keys: string[];
  errors: string[];
}

// Generous: a rewrite must not change the verdict by running into the budget on a slow machine.
const TIME_BUDGET_MS = 20_000;

export function verdictOf(code: string | ParsedModule, context: VerdictContext = {}): Verdict {
  const mod = typeof code === "string" ? parsePython(code, "solution.py") : code;
  const keys = new Set<string>();
  const errors: string[] = [];
  const rules = scanSource(mod, { analyzers: ["rules"], ignoreNosec: true, filename: "solution.py" });
  for (const f of rules.findings) keys.add(`rules ${f.test_id} ${f.issue_severity}/${f.issue_confidence}`);
  for (const e of rules.errors) errors.push(`rules: ${e.reason}${e.detail ? `: ${e.detail}` : ""}`);
  const vuln = detect(mod, {
    ...(context.entryFunction ? { entryFunction: context.entryFunction } : {}),
    ...(context.cwe ? { cwe: context.cwe } : {}),
    timeBudgetMs: TIME_BUDGET_MS,
  });
  for (const f of vuln.findings) keys.add(`vuln ${f.test_id} ${f.issue_severity}/${f.issue_confidence}`);
  errors.push(...vuln.errors.map((e) => `vuln: ${e}`));
  if (context.parametersAreInput) {
    for (const f of runChecks(mod, { parametersAreInput: true, ...(context.cwe ? { cwe: context.cwe } : {}) })) keys.add(`checks(parameters-are-input) ${f.test_id} ${f.issue_severity}/${f.issue_confidence}`);
  }
  return { keys: [...keys].sort(), errors };
}
