import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rewardsOf, type ReportSample } from "../../src/bench/report-rewards.js";
import { getSpec } from "../../src/reward/index.js";
import { loadTasks } from "../../src/task/index.js";
import { Verifier } from "../../src/verify/index.js";

/**
 * A report recomputes rewards from results.jsonl lines. The reward depends on the comparison the
 * tests were judged by: under the `apps` rule an echo of the input passes "print the numbers in
 * reverse" (per-line token sets), so those passes earn no credit, while under `strict` they do.
 * Through the Verifier that `bench` and `verify` share, judging with `apps` and the result line
 * read back as bench writes it to results.jsonl: the report's rewards equal the ones verify stored,
 * with the task and without it, and differ from a recomputation that forgets the mode (so the
 * samples are ones where the mode matters).
 */
const REVERSE = {
  problem_id: "reverse",
  question: "Print the numbers of the line in reverse order.",
  solutions: JSON.stringify(["print(*input().split()[::-1])\n"]),
  input_output: JSON.stringify({ inputs: ["1 2 3\n", "4 5\n", "7 8 9 10\n"], outputs: ["3 2 1\n", "5 4\n", "10 9 8 7\n"] }),
  starter_code: "",
  difficulty: "introductory",
};

describe("report rewards under the comparison verify judged by", () => {
  it("equal verify's rewards for apps-judged samples", async () => {
    const work = mkdtempSync(join(tmpdir(), "scrl-report-mode-"));
    const tasksFile = join(work, "tasks.jsonl");
    writeFileSync(tasksFile, JSON.stringify(REVERSE) + "\n");
    const completions = ["print(*input().split()[::-1])", "print(input())", "print(*sorted(input().split(), reverse=True))"];
    const task = (await loadTasks(tasksFile)).tasks[0]!;
    const judged: Record<string, ReportSample[]> = {};
    for (const spec of ["securecoderl", "real"]) {
      const verifier = new Verifier({ spec: getSpec(spec), jobs: 2, judgeMode: "apps" });
      judged[spec] = await Promise.all(completions.map(async (c, i) => JSON.parse(JSON.stringify(await verifier.verify(task, c, { sampleIndex: i }))) as ReportSample));
      await verifier.close();
      expect(judged[spec]!.map((l) => l.mode)).toEqual(["apps", "apps", "apps"]);
    }
    const analyzed = ["rules", "vuln"] as const;
    let mattered = 0;
    // A report on the securecoderl run recomputes `real`, and one on the real run `securecoderl`.
    for (const [run, other] of [["securecoderl", "real"], ["real", "securecoderl"]] as const) {
      judged[run]!.forEach((line, i) => {
        const verified = judged[other]![i]!.reward!.value;
        expect(rewardsOf(line, analyzed, task)[other]!.reward, `${run} run, ${line.code}`).toBe(verified);
        // The run's own spec is the reward verify stored, with or without the task.
        expect(rewardsOf(line, analyzed)[run]!.reward).toBe(line.reward!.value);
        const { mode: _mode, ...strictLine } = line;
        if (rewardsOf(strictLine as ReportSample, analyzed, task)[other]!.reward !== verified) mattered++;
      });
    }
    expect(mattered).toBeGreaterThan(0);
  });
});
