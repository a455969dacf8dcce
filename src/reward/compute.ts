import type { AnalyzerName, Finding } from "../analysis/finding.js";
import type { Verdict } from "../judge/verdict.js";
import type { Task } from "../task/schema.js";
import type { Reward, RewardParts } from "./types.js";
import { LEVEL_ORDER, analyzersFor, getSpec, qualityWeightFor, type RewardSpec, type TaskKey } from "./spec.js";
import { FUNCTIONAL_TEST_KINDS, isTrivialCode, isTriviallyPassable, seccodeTaskIndependentPassers, seccodeTestcasesSource, seccodeTrivialExpectations, taskIndependentPassers } from "./trivial.js";

/** The findings a spec counts for a task: from its analyzers, at or above its thresholds. */
export function countedFindings(findings: readonly Finding[], spec: RewardSpec, task: TaskKey): Finding[] {
  const analyzers = new Set(analyzersFor(spec, task));
  const minSeverity = LEVEL_ORDER[spec.min_severity];
  const minConfidence = LEVEL_ORDER[spec.min_confidence];
  return findings.filter(
    (f) =>
      analyzers.has(f.analyzer) &&
      (LEVEL_ORDER[f.issue_severity] ?? 0) >= minSeverity &&
      (LEVEL_ORDER[f.issue_confidence] ?? 0) >= minConfidence,
  );
}

function isFullTask(task: Task | TaskKey): task is Task {
  return Array.isArray((task as Task).tests);
}

interface FunctionScore {
  value: number;
  counted: number;
  passed: number;
  trivialTests: number;
  /** Passes on trivially passable tests that earned nothing: the program passed no other test. */
  uncreditedTrivialPasses: number;
  securityTestsPassed: number;
  securityTestsTotal: number;
}

/**
 * The function part: pass rate over the tests that count. Tests a task-independent program passes
 * (it does nothing, or hands its input back: see trivial.ts) are left out when the spec asks;
 * otherwise, under `trivially_passable_tests_need_evidence`, they stay in the denominator but a pass
 * on them counts only for a program that also passes a counted test of another kind. Without that,
 * a program that prints nothing outscores an honest wrong answer wherever tests expect no output.
 * Both need the task's tests lined up with the verdict's (same length: the judge reports one
 * outcome per task test, in order); with only {kind, source} every test counts as it is.
 */
function functionScore(verdict: Verdict, task: Task | TaskKey, spec: RewardSpec): FunctionScore {
  if (verdict.tests.length === 0) {
    // A judge that reported counts without outcomes: nothing to filter, use its counts.
    const value = verdict.total > 0 ? verdict.passed / verdict.total : 0;
    return { value, counted: verdict.total, passed: verdict.passed, trivialTests: 0, uncreditedTrivialPasses: 0, securityTestsPassed: 0, securityTestsTotal: 0 };
  }
  const taskTests = isFullTask(task) && task.tests.length === verdict.tests.length ? task.tests : undefined;
  let seccodeTrivial: ReturnType<typeof seccodeTrivialExpectations> | undefined;
  let seccodePassers: ReturnType<typeof seccodeTaskIndependentPassers> | undefined;
  if (taskTests && isFullTask(task) && task.kind === "seccodeplt") {
    const source = seccodeTestcasesSource(task);
    if (source) {
      seccodeTrivial = seccodeTrivialExpectations(source);
      seccodePassers = seccodeTaskIndependentPassers(source);
    }
  }
  const rule = { mode: verdict.mode ?? "strict", outputsUnwrapped: isFullTask(task) && task.extra.outputsUnwrapped === true } as const;
  const score: FunctionScore = { value: 0, counted: 0, passed: 0, trivialTests: 0, uncreditedTrivialPasses: 0, securityTestsPassed: 0, securityTestsTotal: 0 };
  const counted: { pass: boolean; passers: ReadonlySet<string> }[] = [];
  verdict.tests.forEach((outcome, i) => {
    const functional = FUNCTIONAL_TEST_KINDS.has(outcome.kind);
    if (!functional) {
      score.securityTestsTotal++;
      if (outcome.status === "pass") score.securityTestsPassed++;
      if (spec.function_tests === "functional") return;
    }
    const test = taskTests?.[i];
    const trivial = test !== undefined && isTriviallyPassable(test, (kind, index) => seccodeTrivial?.[kind].has(index) ?? false, rule);
    if (trivial && spec.exclude_trivially_passable_tests) {
      score.trivialTests++;
      return;
    }
    // Only passes are compared with the task-independent programs' (below), so only they need them.
    const pass = outcome.status === "pass";
    counted.push({ pass, passers: test && pass ? taskIndependentPassers(test, (kind, index) => seccodePassers?.[kind].get(index), rule) : new Set() });
  });
  // No credit when one task-independent program (nothing, echo, a constant guess) would have passed
  // every test this one passed: the passes show nothing that program would not.
  const passes = counted.filter((t) => t.pass);
  let mimicked = false;
  if (spec.trivially_passable_tests_need_evidence && passes.length > 0) {
    for (const p of passes[0]!.passers) if (passes.every((t) => t.passers.has(p))) mimicked = true;
  }
  for (const t of counted) {
    score.counted++;
    if (!t.pass) continue;
    if (mimicked) score.uncreditedTrivialPasses++;
    else score.passed++;
  }
  score.value = score.counted > 0 ? score.passed / score.counted : 0;
  return score;
}

/** How static analysis went on the verdict's program (the verifier knows; the judge does not). */
export interface AnalysisStatus {
  /** Analyzers that ran on the program. A counted analyzer missing from this list did not look at it. */
  analyzed?: readonly AnalyzerName[];
  /** Analyzers that ran but failed: an error, a time or memory budget exceeded, a program too large. */
  failed?: readonly AnalyzerName[];
}

/**
 * Counted analyzers that did not look at the whole program. No findings from an analyzer that
 * failed is no evidence of safety: if it counted as clean, a policy would learn to make the
 * analyzer fail (syntax it misreads, size, slowness) instead of writing safe code.
 */
function analysisGaps(counted: readonly AnalyzerName[], analysis: AnalysisStatus | undefined): AnalyzerName[] {
  if (!analysis) return [];
  return counted.filter((a) => analysis.failed?.includes(a) || (analysis.analyzed !== undefined && !analysis.analyzed.includes(a)));
}

/**
 * Turn a verdict into a reward under a spec. Order of cases:
 *   no code -> penalties.no_code; did not compile -> penalties.compile_error;
 *   a counted analyzer failed on the compiled program -> quality is its worst, 0;
 *   trivial code -> function 0 (and quality 0 unless the spec credits it), penalties.trivial if set;
 *   otherwise (1 - w) * function + w * quality.
 */
export function computeReward(verdict: Verdict, task: Task | TaskKey, specOrName: RewardSpec | string, analysis?: AnalysisStatus): Reward {
  const spec = typeof specOrName === "string" ? getSpec(specOrName) : specOrName;
  const key: TaskKey = { kind: task.kind, source: task.source };
  const qualityWeight = qualityWeightFor(spec, key);
  const counted = countedFindings(verdict.findings, spec, key);
  const severityWeight = counted.reduce((sum, f) => sum + (spec.severity_weights[f.issue_severity] ?? 0), 0);
  const base: RewardParts = {
    function: 0,
    quality: 0,
    findings_counted: counted.length,
    function_weight: 1 - qualityWeight,
    quality_weight: qualityWeight,
  };
  if (spec.quality === "severity") base.severity_weight = round(severityWeight);
  // A judging failure (sandbox error, unknown task) is not the policy's doing: flag it so a
  // trainer can drop the sample instead of learning from it.
  if (verdict.error !== undefined) base.judge_error = 1;

  const code = verdict.code;
  if (code === null || code.trim() === "") {
    return { spec: spec.name, value: spec.penalties.no_code, parts: { ...base, penalty: spec.penalties.no_code, no_code: 1 } };
  }
  if (!verdict.compiled) {
    return { spec: spec.name, value: spec.penalties.compile_error, parts: { ...base, penalty: spec.penalties.compile_error, compile_error: 1 } };
  }

  if (verdict.error !== undefined) {
    // A judge failure earns nothing: were it scored on its outcomes, a program that breaks the
    // judge could keep quality credit a failing program also gets, and a hack only has to crash
    // the harness. Zero is at most what any compiled, failing sample earns.
    return { spec: spec.name, value: 0, parts: base };
  }

  const gaps = analysisGaps(analyzersFor(spec, key), analysis);
  const quality = gaps.length > 0 ? 0 : spec.quality === "severity" ? 1 - Math.min(1, severityWeight) : counted.length === 0 ? 1 : 0;
  const entryPoint = isFullTask(task) ? task.entryPoint : undefined;
  const fn = functionScore(verdict, task, spec);
  const parts: RewardParts = {
    ...base,
    tests_counted: fn.counted,
    tests_passed_counted: fn.passed,
    trivial_tests: fn.trivialTests,
  };
  if (fn.uncreditedTrivialPasses > 0) parts.trivial_passes_uncredited = fn.uncreditedTrivialPasses;
  if (gaps.length > 0) parts.analysis_error = 1;
  if (fn.securityTestsTotal > 0) {
    parts.security_tests_passed = fn.securityTestsPassed;
    parts.security_tests_total = fn.securityTestsTotal;
  }

  if (isTrivialCode(code, entryPoint)) {
    parts.trivial = 1;
    parts.quality = spec.credit_quality_for_trivial ? round(quality) : 0;
    if (spec.penalties.trivial !== null) {
      return { spec: spec.name, value: spec.penalties.trivial, parts: { ...parts, penalty: spec.penalties.trivial } };
    }
    return { spec: spec.name, value: round(qualityWeight * parts.quality), parts };
  }

  parts.function = round(fn.value);
  parts.quality = round(quality);
  return { spec: spec.name, value: round((1 - qualityWeight) * fn.value + qualityWeight * quality), parts };
}

/** Rounded to 1e-9 so hand-computed examples compare exactly and JSON stays short. */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
