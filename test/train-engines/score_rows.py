"""Scores run-folder rows through the run folder's own reward client, as each engine would call it.
argv: CLIENTS_DIR ITEMS_JSON; items: [{"engine", "row", "completion"}]. Prints the rewards as JSON."""
import json
import sys

sys.path.insert(0, sys.argv[1])
import openrlhf_reward  # noqa: E402
import trl_reward  # noqa: E402
import verl_reward  # noqa: E402
from securecoderl_client import default_client, score_of  # noqa: E402

PROMPT = "<|im_start|>user\nsolve<|im_end|>\n<|im_start|>assistant\n"
out = []
for item in json.load(open(sys.argv[2], encoding="utf-8")):
    row, c, engine = item["row"], item["completion"], item["engine"]
    if engine == "verl":
        out.append(verl_reward.compute_score(row["data_source"], c, row["reward_model"]["ground_truth"], extra_info=row["extra_info"])["score"])
    elif engine == "openrlhf":
        r = openrlhf_reward.reward_func([PROMPT + c + "<|im_end|>"], [PROMPT], [row["label"]])
        out.append(float(r["rewards"][0]))
    elif engine == "trl":
        out.append(trl_reward.securecoderl_reward([row["prompt"]], [[{"role": "assistant", "content": c}]], task=[row["task"]])[0])
    else:  # hf: what hf_train.py sends
        out.append(score_of(default_client().rewards([{"task": json.loads(row["task"]), "completion": c}])[0]))
print(json.dumps(out))
