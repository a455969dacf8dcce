/**
 * The flags each engine version accepts, as far as run.sh uses them (source: ../shared/docs/engines.md,
 * read from verl b178a3c, OpenRLHF v0.11.0 3c3be62, TRL f2cd577). A launch check fails when run.sh
 * passes a flag not listed here, so a renamed flag is caught before a GPU hour is spent.
 */
export type EngineName = "verl" | "openrlhf" | "trl" | "hf";
export type Algorithm = "sft" | "ppo" | "grpo";

export const ENGINE_VERSIONS: Record<EngineName, string> = {
  verl: "verl@b178a3c",
  openrlhf: "openrlhf@0.11.0",
  trl: "trl@f2cd577",
  hf: "securecoderl python/engines/hf_train.py",
};

/** verl takes Hydra overrides `key=value` (a leading `+` adds a key absent from the YAML). */
export const VERL_KEYS: readonly string[] = [
  "algorithm.adv_estimator", "algorithm.gamma", "algorithm.lam", "algorithm.use_kl_in_reward", "algorithm.kl_ctrl.kl_coef",
  "data.train_files", "data.val_files", "data.prompt_key", "data.response_key", "data.max_prompt_length", "data.max_response_length",
  "data.train_batch_size", "data.micro_batch_size_per_gpu",
  "model.partial_pretrain", "model.lora_rank", "model.lora_alpha", "model.target_modules",
  "optim.lr", "trainer.total_epochs", "trainer.default_local_dir", "trainer.project_name", "trainer.experiment_name",
  "trainer.n_gpus_per_node", "trainer.nnodes", "trainer.logger", "trainer.save_freq", "trainer.test_freq",
  "actor_rollout_ref.model.path", "actor_rollout_ref.model.lora_rank", "actor_rollout_ref.model.lora_alpha",
  "actor_rollout_ref.actor.optim.lr", "actor_rollout_ref.actor.ppo_epochs", "actor_rollout_ref.actor.clip_ratio",
  "actor_rollout_ref.actor.use_kl_loss", "actor_rollout_ref.actor.kl_loss_coef", "actor_rollout_ref.actor.ppo_mini_batch_size",
  "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu", "actor_rollout_ref.rollout.name", "actor_rollout_ref.rollout.n",
  "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu", "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu",
  "critic.model.path", "critic.optim.lr", "critic.ppo_micro_batch_size_per_gpu",
  "custom_reward_function.path", "custom_reward_function.name", "reward_model.reward_manager",
];

export const OPENRLHF_FLAGS: readonly string[] = [
  "--pretrain", "--save_path", "--max_epochs", "--learning_rate", "--train_batch_size", "--micro_train_batch_size",
  "--max_len", "--lora_rank", "--lora_alpha", "--lora_dropout", "--target_modules", "--dataset", "--input_key", "--output_key",
  "--apply_chat_template", "--bf16", "--gradient_checkpointing", "--zero_stage",
  // v0.11 PPO/GRPO (dotted) flags
  "--data.prompt_dataset", "--data.input_key", "--data.label_key", "--data.apply_chat_template", "--reward.remote_url",
  "--algo.advantage.estimator", "--algo.kl.init_coef", "--ds.lora.rank", "--ds.lora.alpha", "--rollout.n_samples_per_prompt",
  "--actor.learning_rate", "--critic.learning_rate", "--actor.eps_clip", "--actor.max_epochs", "--ref.num_gpus_per_node",
  "--actor.num_gpus_per_node", "--critic.num_gpus_per_node",
];

export const TRL_FLAGS: readonly string[] = [
  "--model_name_or_path", "--dataset_name", "--output_dir", "--learning_rate", "--num_train_epochs", "--per_device_train_batch_size",
  "--use_peft", "--lora_r", "--lora_alpha", "--lora_dropout", "--num_generations", "--beta", "--epsilon", "--reward_funcs", "--bf16",
];

export const HF_FLAGS: readonly string[] = [
  "--algorithm", "--model", "--train", "--out", "--lr", "--epochs", "--lora-r", "--lora-alpha", "--lora-dropout", "--clip",
  "--kl", "--ppo-epochs", "--group-size", "--max-new-tokens", "--max-steps", "--batch-size", "--from-config",
];

export function knownFlags(engine: EngineName): readonly string[] {
  return engine === "verl" ? VERL_KEYS : engine === "openrlhf" ? OPENRLHF_FLAGS : engine === "trl" ? TRL_FLAGS : HF_FLAGS;
}

/** Flags (or Hydra keys) the engine command in run.sh uses, for checking against the lists above. */
export function flagsUsed(engine: EngineName, engineCommand: string): string[] {
  const all = engineCommand.split(/\s+/).filter((w) => w.length > 0 && w !== "\\");
  // Launcher flags (torchrun, deepspeed) are not the engine's: count from the engine module on.
  const start = all.findIndex((w) => /^(verl\.trainer|openrlhf\.cli)\./.test(w));
  const words = start >= 0 ? all.slice(start + 1) : all;
  if (engine === "verl") {
    return words.filter((w) => /^\+?[a-z_][\w.]*=/.test(w)).map((w) => w.replace(/^\+/, "").split("=")[0]!);
  }
  return words.filter((w) => w.startsWith("--")).map((w) => w.split("=")[0]!);
}
