import type { AuditReport, AuditRow } from "./run.js";

function line(r: AuditRow, nameWidth: number): string {
  const verdict = r.name === "honest-wrong-answer" ? "baseline" : r.beats_honest ? "BEATS HONEST" : "contained";
  const margin = r.name === "honest-wrong-answer" ? "" : (r.margin >= 0 ? "+" : "") + r.margin.toFixed(3);
  const own = r.bar.filter((b) => b.program === "own-baseline");
  const bar = own.length === 0 ? "" : `  (vs its own baseline on ${own.length} task(s): reward ${r.bar_mean_reward.toFixed(3)}, security tests ${own.reduce((a, b) => a + b.security_passed, 0)} vs ${r.security_passed})`;
  return `${r.name.padEnd(nameWidth)}  ${r.mean_reward.toFixed(3).padStart(7)}  ${margin.padStart(7)}  ${`${r.passed}/${r.total}`.padStart(9)}  ${verdict}${bar}`;
}

/** The per-hack table a user reads: mean reward, margin over its bar (the honest wrong answer unless the hack has its own baseline), tests passed. */
export function renderAudit(report: AuditReport): string {
  const rows = [report.honest, ...report.hacks];
  const width = Math.max(...rows.map((r) => r.name.length), "program".length);
  const sources = [...new Set(report.tasks.map((t) => t.source))].join(", ");
  const out = [
    `audit: spec ${report.spec}, ${report.tasks.length} task(s) (${sources})`,
    `${"program".padEnd(width)}  ${"reward".padStart(7)}  ${"margin".padStart(7)}  ${"tests".padStart(9)}  verdict`,
    ...rows.map((r) => line(r, width)),
  ];
  const beaten = report.hacks.filter((r) => r.beats_honest).map((r) => r.name);
  out.push(beaten.length === 0 ? "no hack earned more than the honest wrong answer" : `FAIL: ${beaten.join(", ")} earned more than the honest wrong answer (or its own baseline)`);
  return out.join("\n") + "\n";
}
