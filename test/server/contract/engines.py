"""Contract clients: each engine's request to the reward service, byte for byte as engines.md gives it.

Run by test/server/contract.test.ts with /usr/bin/python3 against a live `securecoderl serve`:

  engines.py MODE URL CASES.json   -> JSON on stdout

Modes and what they mirror (engines.md; the engines' own code is not copied, only the bytes they send):
  verl-run-code   verl's built-in SandboxFusion reward: one POST /run_code per test case,
                  {"compile_timeout": 10, "run_timeout": 10, "code", "stdin", "memory_limit_MB": 1024,
                   "language": "python", "files": {}, "fetch_files": []}, from a thread pool, 504 retried.
  openrlhf-batch  OpenRLHF v0.8-v0.10: one POST of a whole micro-batch {"query", "prompts", "labels"}.
  openrlhf-single OpenRLHF v0.11: one sample a request, many in flight.
  openrlhf-file   OpenRLHF given python/clients/openrlhf_reward.py instead of a URL.
  verl-custom     verl's custom reward function python/clients/verl_reward.py (per sample and batch).
  trl             TRL's GRPOTrainer calling python/clients/trl_reward.py once per generation batch.
  batch-api       our own batch API through python/clients/securecoderl_client.py.
"""

import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def post(url, payload, timeout):
    # requests' and aiohttp's json= both send json.dumps(payload) with the default separators.
    data = json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode("utf-8") or "null")


def verl_run_code(url, cases):
    def one(case):
        payload = {
            "compile_timeout": 10,
            "run_timeout": case.get("run_timeout", 10),
            "code": case["code"],
            "stdin": case["stdin"],
            "memory_limit_MB": 1024,
            "language": "python",
            "files": {},
            "fetch_files": [],
        }
        for _ in range(3):  # verl retries only on 504
            status, body = post(url + "/run_code", payload, timeout=payload["compile_timeout"] + payload["run_timeout"] + 10)
            if status != 504:
                break
            time.sleep(1)
        run = (body or {}).get("run_result") or {}
        stdout = run.get("stdout") or ""
        return {
            "http": status,
            "status": (body or {}).get("status"),
            "run_status": run.get("status"),
            "return_code": run.get("return_code"),
            # verl's check: Success, Finished, and stdout equal up to trailing newlines.
            "passed": (body or {}).get("status") == "Success" and run.get("status") == "Finished" and stdout.rstrip("\n") == case["expected"].rstrip("\n"),
        }

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, cases))


def openrlhf_batch(url, samples):
    status, body = post(url + "/get_reward", {"query": [s["query"] for s in samples], "prompts": [s["prompt"] for s in samples], "labels": [s["label"] for s in samples]}, timeout=180)
    if status != 200:
        raise SystemExit("get_reward answered %d: %r" % (status, body))
    return body


def openrlhf_single(url, samples):
    def one(s):
        for _ in range(5):  # v0.11: 5 tries, 1 s apart, on any error
            status, body = post(url + "/get_reward", {"query": [s["query"]], "prompts": [s["prompt"]], "labels": [s["label"]]}, timeout=180)
            if status == 200:
                return body
            time.sleep(1)
        raise SystemExit("get_reward kept failing: %d %r" % (status, body))

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, samples))
    return {"rewards": [a["rewards"][0] for a in answers], "scores": [a["scores"][0] for a in answers], "extra_logs": {k: [a["extra_logs"][k][0] for a in answers] for k in answers[0]["extra_logs"]}}


def openrlhf_file(samples):
    from openrlhf_reward import reward_func

    out = reward_func([s["query"] for s in samples], [s["prompt"] for s in samples], [s["label"] for s in samples])
    as_list = lambda v: v.tolist() if hasattr(v, "tolist") else list(v)
    return {"rewards": as_list(out["rewards"]), "scores": as_list(out["scores"]), "extra_logs": {k: as_list(v) for k, v in out["extra_logs"].items()}}


def verl_custom(samples):
    from verl_reward import compute_score, compute_score_batch

    single = [compute_score(s["data_source"], s["solution_str"], s["ground_truth"], s["extra_info"]) for s in samples]
    batch = compute_score_batch([s["data_source"] for s in samples], [s["solution_str"] for s in samples], [s["ground_truth"] for s in samples], [s["extra_info"] for s in samples])
    return {"single": single, "batch": batch}


def trl(samples):
    from trl_reward import securecoderl_reward

    # GRPOTrainer: prompts, completions, completion_ids, then every other dataset column as a list.
    return securecoderl_reward(
        prompts=[s["prompt"] for s in samples],
        completions=[s["completion"] for s in samples],
        completion_ids=[[0] for _ in samples],
        task=[s["task"] for s in samples],
        trainer_state=None,
    )


def batch_api(samples):
    from securecoderl_client import default_client

    return default_client().rewards([{"ref": s["ref"], "completion": s["completion"]} for s in samples])


def main():
    mode, url, path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    if mode == "verl-run-code":
        out = verl_run_code(url, cases)
    elif mode == "openrlhf-batch":
        out = openrlhf_batch(url, cases)
    elif mode == "openrlhf-single":
        out = openrlhf_single(url, cases)
    elif mode == "openrlhf-file":
        out = openrlhf_file(cases)
    elif mode == "verl-custom":
        out = verl_custom(cases)
    elif mode == "trl":
        out = trl(cases)
    elif mode == "batch-api":
        out = batch_api(cases)
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
