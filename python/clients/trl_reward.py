"""TRL GRPO reward function calling the SecureCodeRL reward service (POST /v1/rewards).

  import sys; sys.path.insert(0, "python/clients")
  from trl_reward import securecoderl_reward
  trainer = GRPOTrainer(model=..., reward_funcs=[securecoderl_reward], train_dataset=ds, args=GRPOConfig(...))

The dataset needs a `task` column naming each prompt's task (a JSON string of the full Task, as
`securecoderl train` writes it, or a task id, or a reference {"dataset", "task_id"}). TRL passes
every column but `prompt` to the function, aligned with the completions. docs/serving.md has more.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from securecoderl_client import default_client, score_of  # noqa: E402


def _text(completion):
    # Conversational datasets give a list of messages; the assistant's answer is the last one.
    if isinstance(completion, list):
        if not completion:
            return ""
        last = completion[-1]
        return last.get("content", "") if isinstance(last, dict) else str(last)
    return completion


def securecoderl_reward(prompts, completions, completion_ids=None, **kwargs):
    """One reward per completion, in order; None where the row names no task (TRL: not applicable)."""
    tasks = kwargs.get("task")
    if tasks is None:
        tasks = kwargs.get("task_ref")
    if tasks is None:
        raise ValueError("securecoderl_reward needs a `task` column in the dataset (a task id, reference or Task JSON)")
    wanted = [i for i, t in enumerate(tasks) if t is not None and t != ""]
    items = [{"label": tasks[i], "completion": _text(completions[i])} for i in wanted]
    rewards = [None] * len(completions)
    if items:
        for i, result in zip(wanted, default_client().rewards(items)):
            rewards[i] = score_of(result)
    return rewards
