/**
 * Placeholder: external-engine training runs (verl, OpenRLHF, TRL, HF) are built on the `engines`
 * branch, whose src/cli/train-engine.ts replaces this file at merge.
 */
export async function runTrainEngine(algorithm: "sft" | "ppo" | "grpo", options: Record<string, unknown>): Promise<number> {
  void options;
  throw new Error(`engine runs are not built in this branch (asked for ${algorithm} with --engine); use the in-process trainer (no --engine)`);
}
