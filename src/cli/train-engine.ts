/**
 * `securecoderl train sft|ppo|grpo --engine ...`: writes a run folder for an external engine and runs
 * the launch checks on it. Called by src/cli/train.ts when --engine is given; heavy stages load here.
 */
export async function runTrainEngine(algorithm: "sft" | "ppo" | "grpo", options: Record<string, unknown>): Promise<number> {
  const { loadTasks } = await import("../task/index.js");
  const { writeRunFolder, launchChecks, ENGINE_VERSIONS } = await import("../train/engines/index.js");
  const engine = String(options.engine ?? "");
  if (!(engine in ENGINE_VERSIONS)) {
    process.stderr.write(`securecoderl train: --engine must be one of ${Object.keys(ENGINE_VERSIONS).join(", ")}, got ${engine || "nothing"}\n`);
    return 2;
  }
  if (engine === "trl" && algorithm === "ppo") {
    // TRL's PPO (trl.experimental.ppo) takes a reward model, not a function; a programmatic reward means GRPO there.
    process.stderr.write("securecoderl train: TRL's PPO needs a reward model; use `train grpo --engine trl`, or ppo with verl, openrlhf or hf\n");
    return 2;
  }
  const model = typeof options.model === "string" ? options.model : "";
  const out = typeof options.out === "string" ? options.out : "";
  const raw = options.tasks;
  const taskFiles = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? [raw] : [];
  if (!model || !out || taskFiles.length === 0) {
    process.stderr.write("securecoderl train: --engine needs --model, --tasks and --out\n");
    return 2;
  }
  const gpus = options.gpus === undefined ? 1 : Number(options.gpus);
  try {
    const tasks = [];
    for (const f of taskFiles) {
      const loaded = await loadTasks(f, typeof options.limit === "string" || typeof options.limit === "number" ? { limit: Number(options.limit) } : {});
      for (const e of loaded.errors) process.stderr.write(`securecoderl train: ${f} row ${e.index}: ${e.reason}\n`);
      tasks.push(...loaded.tasks);
    }
    if (tasks.length === 0) throw new Error("no tasks loaded");
    const folder = writeRunFolder({
      engine: engine as "verl",
      algorithm,
      model,
      tasks,
      taskFiles,
      out,
      gpus,
      ...(typeof options.rewardUrl === "string" ? { rewardUrl: options.rewardUrl } : {}),
    });
    const checks = await launchChecks(folder);
    for (const c of checks) process.stdout.write(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}\n`);
    process.stdout.write(`run folder: ${out} (start it with ${out}/run.sh)\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  } catch (err) {
    process.stderr.write(`securecoderl train: ${(err as Error).message}\n`);
    return 2;
  }
}
