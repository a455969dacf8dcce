"""Plain transformers + peft trainer for SecureCodeRL (no TRL, no vLLM): SFT with LoRA, and PPO-style
clipped policy-gradient or GRPO with rewards from `securecoderl serve`. Meant for one GPU and for
reading: each step is written out. Hyperparameters come from the run folder's config.json.

  python3 engines/hf_train.py --algorithm sft|ppo|grpo --model ID_OR_PATH --train data/train.jsonl \
      --out checkpoints --from-config config.json [--max-steps N]
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))


def load_rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build(model_name, lora):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_name)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_name, torch_dtype=dtype)
    model = get_peft_model(model, LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
                                             target_modules=lora["target_modules"], task_type="CAUSAL_LM"))
    return tok, model.to("cuda" if torch.cuda.is_available() else "cpu")


def prompt_text(tok, messages):
    return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def sft(tok, model, rows, cfg, max_steps):
    import torch
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg["sft"]["lr"])
    step = 0
    for epoch in range(cfg["sft"]["epochs"]):
        for row in rows:
            prompt = prompt_text(tok, row["prompt"])
            answer = row["completion"][0]["content"] + tok.eos_token
            p_ids = tok(prompt, return_tensors="pt").input_ids
            a_ids = tok(answer, return_tensors="pt", add_special_tokens=False).input_ids
            ids = torch.cat([p_ids, a_ids], dim=1)[:, : cfg["sft"]["max_len"]].to(model.device)
            labels = ids.clone()
            labels[:, : p_ids.shape[1]] = -100  # loss on the answer only
            t0 = time.time()
            loss = model(input_ids=ids, labels=labels).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            step += 1
            print(json.dumps({"step": step, "epoch": epoch, "loss": loss.item(), "seconds": round(time.time() - t0, 3)}), flush=True)
            if max_steps and step >= max_steps:
                return


def sequence_logprob(model, ids, prompt_len):
    import torch
    logits = model(input_ids=ids).logits[:, :-1]
    logp = torch.log_softmax(logits.float(), dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return logp[:, prompt_len - 1:].sum(dim=-1)


def rl(tok, model, rows, cfg, algorithm, max_steps):
    """GRPO: group-normalised rewards; ppo: the same clipped objective with a batch-mean baseline
    (no critic here; verl's PPO in the run folders has GAE and a critic)."""
    import torch
    from securecoderl_client import default_client, score_of

    hp = cfg["grpo"] if algorithm == "grpo" else cfg["ppo"]
    group = cfg["grpo"]["group_size"] if algorithm == "grpo" else 4
    epochs = 1 if algorithm == "grpo" else cfg["ppo"]["ppo_epochs"]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=hp["lr"])
    client = default_client()
    for step, row in enumerate(rows, start=1):
        t0 = time.time()
        p_ids = tok(prompt_text(tok, row["prompt"]), return_tensors="pt").input_ids.to(model.device)
        with torch.no_grad():
            out = model.generate(p_ids.repeat(group, 1), do_sample=True, max_new_tokens=hp["max_new_tokens"], pad_token_id=tok.pad_token_id)
        texts = tok.batch_decode(out[:, p_ids.shape[1]:], skip_special_tokens=True)
        results = client.rewards([{"task": json.loads(row["task"]), "completion": t} for t in texts])
        rewards = torch.tensor([score_of(r) for r in results], device=model.device)
        adv = (rewards - rewards.mean()) / (rewards.std() + 1e-6) if algorithm == "grpo" else rewards - rewards.mean()
        with torch.no_grad():
            old = sequence_logprob(model, out, p_ids.shape[1])
            with model.disable_adapter():
                ref = sequence_logprob(model, out, p_ids.shape[1])
        for _ in range(epochs):
            new = sequence_logprob(model, out, p_ids.shape[1])
            ratio = torch.exp(new - old)
            clipped = torch.clamp(ratio, 1 - hp["clip"], 1 + hp["clip"])
            loss = -torch.min(ratio * adv, clipped * adv).mean() + hp["kl"] * (new - ref).mean()
            loss.backward()
            opt.step()
            opt.zero_grad()
        print(json.dumps({"step": step, "rewards": rewards.tolist(), "loss": loss.item(), "seconds": round(time.time() - t0, 3)}), flush=True)
        if max_steps and step >= max_steps:
            return


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--algorithm", choices=["sft", "ppo", "grpo"], required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--from-config", required=True)
    ap.add_argument("--max-steps", type=int, default=0)
    args = ap.parse_args()
    with open(args.from_config, encoding="utf-8") as f:
        cfg = json.load(f)
    rows = load_rows(args.train)
    tok, model = build(args.model, cfg["lora"])
    if args.algorithm == "sft":
        sft(tok, model, rows, cfg, args.max_steps)
    else:
        rl(tok, model, rows, cfg, args.algorithm, args.max_steps)
    model.save_pretrained(args.out)


if __name__ == "__main__":
    main()
