/**
 * Hyperparameters with the papers' values as defaults. SecureCodeRL: LoRA r 16, alpha 32, dropout
 * 0.05, lr 2e-5, 3 epochs; PPO lr 1e-5, clip 0.2, KL 0.1, 4 PPO epochs. REAL: verl PPO with GAE and a
 * critic, the hybrid reward R = alpha*quality + (1-alpha)*function, alpha per dataset (the `real` spec).
 */
import { REAL_SPEC } from "../../reward/index.js";
import type { Algorithm, EngineName } from "./flags.js";

export interface TrainConfig {
  engine: EngineName;
  algorithm: Algorithm;
  model: string;
  gpus: number;
  reward_url: string;
  reward_spec: string;
  quality_weight_by_dataset: Record<string, number>;
  lora: { r: number; alpha: number; dropout: number; target_modules: string[] };
  sft: { lr: number; epochs: number; batch_size: number; max_len: number };
  ppo: { lr: number; critic_lr: number; clip: number; kl: number; ppo_epochs: number; advantage: string; gamma: number; lam: number; batch_size: number; rollout_n: number; max_new_tokens: number };
  grpo: { lr: number; clip: number; kl: number; group_size: number; batch_size: number; max_new_tokens: number };
}

function realAlphaByDataset(): Record<string, number> {
  const w = REAL_SPEC.quality_weight;
  if (typeof w === "number") return { default: w };
  return { default: w.default, ...(w.by_kind ?? {}), ...(w.by_source ?? {}) };
}

export function defaultConfig(engine: EngineName, algorithm: Algorithm, model: string, gpus: number, rewardUrl: string): TrainConfig {
  return {
    engine,
    algorithm,
    model,
    gpus,
    reward_url: rewardUrl,
    reward_spec: "real",
    quality_weight_by_dataset: realAlphaByDataset(),
    lora: { r: 16, alpha: 32, dropout: 0.05, target_modules: ["q_proj", "k_proj", "v_proj", "o_proj"] },
    sft: { lr: 2e-5, epochs: 3, batch_size: 8, max_len: 2048 },
    ppo: { lr: 1e-5, critic_lr: 1e-5, clip: 0.2, kl: 0.1, ppo_epochs: 4, advantage: "gae", gamma: 1.0, lam: 0.95, batch_size: 64, rollout_n: 1, max_new_tokens: 1024 },
    grpo: { lr: 1e-5, clip: 0.2, kl: 0.1, group_size: 8, batch_size: 64, max_new_tokens: 1024 },
  };
}

/** A flat YAML writer for this one config shape (numbers, strings, string lists, nested maps). */
export function toYaml(value: unknown, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map((v) => JSON.stringify(v)).join(", ") + "]";
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => (v !== null && typeof v === "object" && !Array.isArray(v) ? `${indent}${k}:\n${toYaml(v, indent + "  ")}` : `${indent}${k}: ${toYaml(v)}`))
    .join("\n");
}
