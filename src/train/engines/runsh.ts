/** run.sh: start `securecoderl serve` on the task files, wait until ready, then launch the engine. */
import type { TrainConfig } from "./config.js";

export function engineCommand(c: TrainConfig, files: { train: string; val: string }): string {
  const lr = c.algorithm === "sft" ? c.sft.lr : c.algorithm === "ppo" ? c.ppo.lr : c.grpo.lr;
  if (c.engine === "verl") {
    if (c.algorithm === "sft") {
      return [
        `torchrun --standalone --nnodes=1 --nproc_per_node=${c.gpus} -m verl.trainer.fsdp_sft_trainer`,
        `data.train_files=${files.train}`, `data.val_files=${files.val}`, "data.prompt_key=prompt", "data.response_key=response",
        `model.partial_pretrain=${c.model}`, `model.lora_rank=${c.lora.r}`, `model.lora_alpha=${c.lora.alpha}`,
        `optim.lr=${lr}`, `trainer.total_epochs=${c.sft.epochs}`, "trainer.default_local_dir=checkpoints", "trainer.project_name=securecoderl",
      ].join(" \\\n  ");
    }
    const ppo = c.algorithm === "ppo";
    return [
      "python3 -m verl.trainer.main_ppo",
      `algorithm.adv_estimator=${ppo ? "gae" : "grpo"}`,
      `data.train_files=${files.train}`, `data.val_files=${files.val}`,
      `data.train_batch_size=${ppo ? c.ppo.batch_size : c.grpo.batch_size}`, `data.max_response_length=${ppo ? c.ppo.max_new_tokens : c.grpo.max_new_tokens}`,
      `actor_rollout_ref.model.path=${c.model}`, `actor_rollout_ref.model.lora_rank=${c.lora.r}`, `actor_rollout_ref.model.lora_alpha=${c.lora.alpha}`,
      `actor_rollout_ref.actor.optim.lr=${lr}`, `actor_rollout_ref.actor.clip_ratio=${ppo ? c.ppo.clip : c.grpo.clip}`,
      `actor_rollout_ref.actor.ppo_epochs=${ppo ? c.ppo.ppo_epochs : 1}`,
      ...(ppo ? [`algorithm.use_kl_in_reward=True`, `algorithm.kl_ctrl.kl_coef=${c.ppo.kl}`, `algorithm.gamma=${c.ppo.gamma}`, `algorithm.lam=${c.ppo.lam}`, `critic.model.path=${c.model}`, `critic.optim.lr=${c.ppo.critic_lr}`]
        : ["actor_rollout_ref.actor.use_kl_loss=True", `actor_rollout_ref.actor.kl_loss_coef=${c.grpo.kl}`, `actor_rollout_ref.rollout.n=${c.grpo.group_size}`]),
      "actor_rollout_ref.rollout.name=vllm",
      "custom_reward_function.path=clients/verl_reward.py", "custom_reward_function.name=compute_score",
      `trainer.n_gpus_per_node=${c.gpus}`, "trainer.nnodes=1", "trainer.total_epochs=1", "trainer.project_name=securecoderl",
    ].join(" \\\n  ");
  }
  if (c.engine === "openrlhf") {
    if (c.algorithm === "sft") {
      return [
        `deepspeed --num_gpus ${c.gpus} --module openrlhf.cli.train_sft`, `--pretrain ${c.model}`, `--dataset ${files.train}`,
        "--input_key prompt", "--output_key response", "--apply_chat_template", `--learning_rate ${lr}`, `--max_epochs ${c.sft.epochs}`,
        `--lora_rank ${c.lora.r}`, `--lora_alpha ${c.lora.alpha}`, "--save_path checkpoints", "--bf16",
      ].join(" \\\n  ");
    }
    const ppo = c.algorithm === "ppo";
    return [
      "python3 -m openrlhf.cli.train_ppo_ray", `--pretrain ${c.model}`, `--data.prompt_dataset ${files.train}`,
      "--data.input_key prompt", "--data.label_key label", "--data.apply_chat_template", "--reward.remote_url clients/openrlhf_reward.py",
      `--algo.advantage.estimator ${ppo ? "gae" : "group_norm"}`, `--algo.kl.init_coef ${ppo ? c.ppo.kl : c.grpo.kl}`,
      `--ds.lora.rank ${c.lora.r}`, `--ds.lora.alpha ${c.lora.alpha}`, `--rollout.n_samples_per_prompt ${ppo ? 1 : c.grpo.group_size}`,
      `--actor.learning_rate ${lr}`, ...(ppo ? [`--critic.learning_rate ${c.ppo.critic_lr}`] : []), "--save_path checkpoints", "--bf16",
    ].join(" \\\n  ");
  }
  if (c.engine === "trl") {
    const script = c.algorithm === "sft" ? "trl sft" : "trl grpo";
    return [
      script, `--model_name_or_path ${c.model}`, `--dataset_name ${files.train}`, "--output_dir checkpoints", `--learning_rate ${lr}`,
      "--use_peft", `--lora_r ${c.lora.r}`, `--lora_alpha ${c.lora.alpha}`, `--lora_dropout ${c.lora.dropout}`,
      ...(c.algorithm === "sft" ? [`--num_train_epochs ${c.sft.epochs}`] : [`--num_generations ${c.grpo.group_size}`, `--beta ${c.grpo.kl}`, `--epsilon ${c.grpo.clip}`, "--reward_funcs clients/trl_reward.securecoderl_reward"]),
    ].join(" \\\n  ");
  }
  return ["python3 engines/hf_train.py", `--algorithm ${c.algorithm}`, `--model ${c.model}`, `--train ${files.train}`, "--out checkpoints", "--from-config config.json"].join(" \\\n  ");
}

export function runSh(c: TrainConfig, taskFiles: readonly string[], command: string): string {
  const tasks = taskFiles.map((f) => `--tasks ${JSON.stringify(f)}`).join(" ");
  const needsService = c.algorithm !== "sft";
  return `#!/usr/bin/env bash
# Written by \`securecoderl train ${c.algorithm} --engine ${c.engine}\`. Starts the reward service (RL only), then the engine.
set -euo pipefail
cd "$(dirname "$0")"
${c.reward_url ? `export SECURECODERL_URL="\${SECURECODERL_URL:-${c.reward_url}}"
` : ""}${needsService ? `if [ -z "\${SECURECODERL_URL:-}" ]; then
  securecoderl serve ${tasks} --spec ${c.reward_spec} --port 0 --url-file securecoderl.url &
  SERVE_PID=$!
  trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do [ -s securecoderl.url ] && break; sleep 1; done
  [ -s securecoderl.url ] || { echo "securecoderl serve did not start" >&2; exit 1; }
  export SECURECODERL_URL="$(cat securecoderl.url)"
fi
export SECURECODERL_SPEC=${c.reward_spec}
` : ""}${command}
`;
}
