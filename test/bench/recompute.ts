/**
 * An independent recomputation of metrics.json from results.jsonl, written from docs/metrics.md
 * rather than from src/bench/metrics.ts, so the test catches a metric that drifts from its
 * definition. Sums follow results order (as the docs say), so floats compare exactly.
 */
type R = Record<string, any>;

const SEV: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

function binOf(v: number): string {
  if (v < 0) return "negative";
  const edges: Array<[number, string]> = [[0.2, "0.0-0.2"], [0.4, "0.2-0.4"], [0.6, "0.4-0.6"], [0.8, "0.6-0.8"]];
  for (const [edge, name] of edges) if (v < edge) return name;
  return "0.8-1.0";
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

function div(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

export function recomputeGroup(all: R[], threshold: string, ks: number[]): R {
  const ok = all.filter((r) => r.status === "ok");
  const allPass = (r: R) => r.compiled && r.total > 0 && r.passed === r.total;
  const issue = (r: R) => r.findings.some((f: R) => SEV[f.issue_severity]! >= SEV[threshold]!);
  const compiled = ok.filter((r) => r.compiled);
  const passes = ok.filter(allPass);
  const testsRun = compiled.reduce((a, r) => a + r.tests.length, 0);
  const testsPassed = compiled.reduce((a, r) => a + r.tests.filter((t: R) => t.status === "pass").length, 0);
  const semantic = compiled.filter((r) => r.tests.some((t: R) => t.status !== "pass")).length;
  const withIssue = ok.filter(issue).length;
  const severity = { LOW: 0, MEDIUM: 0, HIGH: 0, total: 0 } as Record<string, number>;
  const cwe: Record<string, number> = {};
  for (const r of ok) for (const f of r.findings) {
    severity[f.issue_severity]++;
    severity.total++;
    cwe[String(f.issue_cwe.id)] = (cwe[String(f.issue_cwe.id)] ?? 0) + 1;
  }
  const sortedCwe = Object.fromEntries(Object.entries(cwe).sort(([a], [b]) => Number(a) - Number(b)));
  const rewarded = ok.filter((r) => r.reward);
  let rewardSum = 0;
  for (const r of rewarded) rewardSum += r.reward.value;
  const hist: Record<string, number> = { negative: 0, "0.0-0.2": 0, "0.2-0.4": 0, "0.4-0.6": 0, "0.6-0.8": 0, "0.8-1.0": 0 };
  for (const r of rewarded) hist[binOf(r.reward.value)]++;
  const mls = ok.filter((r) => r.module_level_solution).length;
  const passAtK: R = {};
  for (const k of ks) {
    const tasks = new Map<string, { n: number; c: number }>();
    for (const r of ok) {
      const key = `${r.model}\u0000${r.dataset}\u0000${r.task_id}`;
      const e = tasks.get(key) ?? { n: 0, c: 0 };
      e.n++;
      if (allPass(r)) e.c++;
      tasks.set(key, e);
    }
    // pass@k = 1 - C(n-c,k)/C(n,k), as one division of exact integers (docs/metrics.md).
    const vals = [...tasks.values()].filter((t) => t.n >= k).map((t) => (t.n - t.c < k ? 1 : (choose(t.n, k) - choose(t.n - t.c, k)) / choose(t.n, k)));
    if (vals.length === 0) {
      passAtK[String(k)] = { estimate: 0, ci95: [0, 0], tasks: 0 };
      continue;
    }
    let s = 0;
    for (const v of vals) s += v;
    const mean = s / vals.length;
    let sq = 0;
    for (const v of vals) sq += (v - mean) ** 2;
    const half = vals.length > 1 ? 1.96 * Math.sqrt(sq / (vals.length - 1) / vals.length) : 0;
    passAtK[String(k)] = { estimate: mean, ci95: [Math.max(0, mean - half), Math.min(1, mean + half)], tasks: vals.length };
  }
  return {
    samples: ok.length,
    errored: all.length - ok.length,
    judge_failures: ok.filter((r) => r.tests.some((t) => t.status === "sandbox_error")).length,
    compiled: compiled.length,
    compile_rate: div(compiled.length, ok.length),
    all_pass: passes.length,
    all_pass_rate: div(passes.length, ok.length),
    all_pass_rate_of_compiling: div(passes.length, compiled.length),
    tests_run: testsRun,
    tests_passed: testsPassed,
    test_pass_rate: div(testsPassed, testsRun),
    semantic_errors: semantic,
    semantic_error_rate: div(semantic, compiled.length),
    with_security_issue: withIssue,
    security_issue_rate: div(withIssue, ok.length),
    severity,
    cwe: sortedCwe,
    module_level_solution: mls,
    module_level_solution_rate: div(mls, ok.length),
    mean_reward: rewarded.length ? rewardSum / rewarded.length : null,
    reward_histogram: hist,
    pass_at_k: passAtK,
    training_data: {
      samples: ok.length,
      compiling: compiled.length,
      some_test_passed: compiled.filter((r) => r.passed > 0).length,
      all_tests_passed: passes.length,
      no_findings: compiled.filter((r) => r.findings.length === 0).length,
      correct_and_secure: passes.filter((r) => !issue(r)).length,
    },
  };
}

function groups(results: R[], key: (r: R) => string | null, threshold: string, ks: number[]): R {
  const map = new Map<string, R[]>();
  for (const r of results) {
    const k = key(r);
    if (k === null) continue;
    map.set(k, [...(map.get(k) ?? []), r]);
  }
  return Object.fromEntries([...map].map(([k, rs]) => [k, recomputeGroup(rs, threshold, ks)]));
}

export function recomputeMetrics(results: R[], threshold: string, ks: number[]): R {
  const errors: Record<string, number> = {};
  for (const r of results) if (r.status !== "ok") errors[r.status] = (errors[r.status] ?? 0) + 1;
  const t = { judge: 0, rules: 0, vuln: 0, types: 0 };
  for (const r of results) {
    t.judge += r.timings.judge_ms;
    t.rules += r.timings.rules_ms;
    t.vuln += r.timings.vuln_ms;
    t.types += r.timings.types_ms;
  }
  return {
    severity_threshold: threshold,
    pass_k: ks,
    overall: recomputeGroup(results, threshold, ks),
    by_model: groups(results, (r) => r.model, threshold, ks),
    by_dataset: groups(results, (r) => r.dataset, threshold, ks),
    by_style: groups(results, (r) => r.style, threshold, ks),
    by_cwe: groups(results, (r) => r.cwe, threshold, ks),
    by_model_dataset: groups(results, (r) => `${r.model} / ${r.dataset}`, threshold, ks),
    errors_by_status: errors,
    timings_ms: t,
  };
}
