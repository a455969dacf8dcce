import type { Command } from "commander";

interface AnalyzeCliOptions {
  out?: string;
  quiet?: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description("The papers' analyses over a finished bench run: reward bins, quality vs function, an alpha sweep, per-CWE/difficulty tables, the structure finding")
    .argument("<run>", "bench run folder (holds results.jsonl and metrics.json)")
    .option("--out <dir>", "where to write report.html, analysis.json and analysis/*.svg (default: the run folder)")
    .option("--quiet", "print nothing but errors")
    .action(async (run: string, opts: AnalyzeCliOptions) => {
      const { analyzeRun } = await import("../bench/analyze-run.js");
      try {
        const result = await analyzeRun(run, opts.out ?? run);
        for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
        if (!opts.quiet) {
          const q = result.analyses.quality_vs_function;
          const best = result.analyses.alpha_sweep;
          process.stdout.write(
            `${result.analyses.samples} judged samples analysed; quality vs function (${q.spec}, ${q.points.length} compiling samples): ` +
              `pearson ${q.pearson === null ? "undefined" : q.pearson.toFixed(3)}; mean reward at alpha 0 / 0.5 / 1: ` +
              `${[0, 5, 10].map((i) => best[i]?.mean_reward?.toFixed(3) ?? "-").join(" / ")}\n`,
          );
          for (const f of result.files) process.stdout.write(`wrote ${f}\n`);
        }
      } catch (err) {
        process.stderr.write(`securecoderl analyze: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
