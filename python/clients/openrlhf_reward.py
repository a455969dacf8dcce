"""OpenRLHF reward function file calling the SecureCodeRL reward service (POST /get_reward).

Two ways to use the service from OpenRLHF (docs/serving.md has the full commands):
  --reward.remote_url http://HOST:8000/get_reward      (v0.11; --remote_rm_url up to v0.10):
      OpenRLHF posts to the service itself; this file is not needed.
  --reward.remote_url python/clients/openrlhf_reward.py
      OpenRLHF imports this file and calls reward_func in the trainer; the URL comes from
      SECURECODERL_URL (securecoderl_client.py), with retries over several replicas.

The label (`--data.label_key`) names each sample's task: a task id, a reference
{"dataset", "task_id"}, a Task object, or a JSON string of either.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from securecoderl_client import default_client  # noqa: E402


def _as_tensor(values):
    # OpenRLHF works with torch tensors; the HTTP part needs nothing but the standard library.
    try:
        import torch
    except ImportError:
        return values
    return torch.tensor(values, dtype=torch.float)


def reward_func(queries, prompts, labels, **kwargs):
    """{"rewards", "scores", "extra_logs"} for a batch of templated prompt + response texts."""
    answer = default_client().post("/get_reward", {"query": list(queries), "prompts": list(prompts), "labels": list(labels)})
    return {
        "rewards": _as_tensor(answer["rewards"]),
        "scores": _as_tensor(answer["scores"]),
        "extra_logs": {k: _as_tensor(v) for k, v in answer["extra_logs"].items()},
    }
