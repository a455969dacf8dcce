"""verl custom reward function calling the SecureCodeRL reward service (POST /v1/rewards).

verl has no HTTP reward client of its own: it reaches a reward service only through a custom
function. Point verl at this file (docs/serving.md has the full command):

  custom_reward_function.path=python/clients/verl_reward.py
  custom_reward_function.name=compute_score          # per sample (naive manager)
  custom_reward_function.name=compute_score_async    # per sample, awaited (the reward loop)
  custom_reward_function.name=compute_score_batch    # one request a batch (reward_model.reward_manager=batch)

Rows name their task in `reward_model.ground_truth` (a JSON string of the full Task, as
`securecoderl train` writes it) or in `extra_info.task_ref` ({"dataset", "task_id"}); any of the
four label forms works. The service's URL comes from SECURECODERL_URL (securecoderl_client.py).
"""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from securecoderl_client import default_client, extras, pick_label, score_of  # noqa: E402


def _result_dict(result):
    out = {"score": score_of(result)}
    out.update(extras(result))
    return out


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """One sample: {"score": reward, plus the same numeric extras every time}."""
    item = {"label": pick_label(ground_truth, extra_info), "completion": solution_str}
    [result] = default_client().rewards([item], spec=kwargs.get("spec"))
    return _result_dict(result)


async def compute_score_async(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """compute_score off the event loop, so verl's reward loop keeps many samples in flight."""
    return await asyncio.to_thread(compute_score, data_source, solution_str, ground_truth, extra_info, **kwargs)


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    """verl's batch reward manager: the whole batch in one request, results in order."""
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    items = [{"label": pick_label(gt, ei), "completion": s} for s, gt, ei in zip(solution_strs, ground_truths, extra_infos)]
    return [_result_dict(r) for r in default_client().rewards(items, spec=kwargs.get("spec"))]
