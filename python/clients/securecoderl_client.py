"""Client of the SecureCodeRL reward service (`securecoderl serve`), standard library only.

The engine adapters beside this file (verl_reward.py, openrlhf_reward.py, trl_reward.py) use it;
docs/serving.md gives each engine's flags.

Where the service is:
  SECURECODERL_URL        base URL(s), no path: http://host:8000 (several: comma-separated; the
                          client spreads requests over them and retries another on failure)
  otherwise               the first line of a file `securecoderl.url` beside this module or in
                          the current directory (`serve --url-file`, or the run folder, writes it)
  otherwise               http://127.0.0.1:8000
  SECURECODERL_TOKEN      bearer token (`serve --token-file`), or SECURECODERL_TOKEN_FILE
  SECURECODERL_TIMEOUT    seconds a request may take (default 600)
  SECURECODERL_SPEC       reward spec name for /v1/rewards (default: the service's, `serve --spec`)

A task is sent as the training data carries it, in any of four forms, and the service resolves it:
a task id, a reference {"dataset", "task_id"}, a Task object, or a JSON string of either.
"""

import itertools
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000"
URL_FILE = "securecoderl.url"
# Statuses that mean "not now, try again" (overload, a replica going away, a proxy that lost it).
RETRYABLE = {429, 502, 503, 504}
# The numeric extras every adapter reports, always all of them (verl and OpenRLHF stack them).
EXTRA_KEYS = ("function", "quality", "compiled", "passed_all", "findings", "no_code", "judge_error", "cached")


class RewardServiceError(RuntimeError):
    """The service refused the request (a bad label, a bad spec) or could not be reached."""


def _read_url_file():
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (here, os.getcwd()):
        path = os.path.join(folder, URL_FILE)
        try:
            with open(path, encoding="utf-8") as f:
                line = f.readline().strip()
        except OSError:
            continue
        if line:
            return line
    return None


def base_urls():
    """The service's base URLs: SECURECODERL_URL, else the url file, else the local default."""
    text = os.environ.get("SECURECODERL_URL") or _read_url_file() or DEFAULT_URL
    urls = [u.strip().rstrip("/") for u in text.replace("\n", ",").split(",") if u.strip()]
    for u in urls:
        if not (u.startswith("http://") or u.startswith("https://")):
            raise RewardServiceError("SECURECODERL_URL must hold http(s)://HOST:PORT base URLs, got %r" % u)
    return urls


def _token():
    token = os.environ.get("SECURECODERL_TOKEN")
    if token:
        return token.strip()
    path = os.environ.get("SECURECODERL_TOKEN_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


class RewardClient:
    """Posts JSON to the service, spreading requests over its URLs and retrying the transient failures."""

    def __init__(self, urls=None, token=None, timeout=None, tries=8):
        self.urls = list(urls) if urls else base_urls()
        self.token = token if token is not None else _token()
        self.timeout = float(timeout if timeout is not None else os.environ.get("SECURECODERL_TIMEOUT", 600))
        self.tries = tries
        self._next = itertools.cycle(range(len(self.urls)))
        self._lock = threading.Lock()

    def _pick(self):
        with self._lock:
            return self.urls[next(self._next)]

    def post(self, path, body):
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last = None
        for attempt in range(self.tries):
            url = self._pick() + path
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            wait = min(8.0, 0.25 * (2 ** attempt)) * (0.5 + random.random())
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as err:
                text = err.read().decode("utf-8", "replace")
                if err.code not in RETRYABLE:
                    raise RewardServiceError("%s answered %d: %s" % (url, err.code, _message(text))) from None
                last = "%s answered %d: %s" % (url, err.code, _message(text))
                after = err.headers.get("Retry-After")
                if after and after.isdigit():
                    wait = max(wait, float(after))
            except (urllib.error.URLError, OSError, ValueError) as err:
                # Connection refused or reset, a timeout, a cut answer: another replica may do.
                last = "%s: %s" % (url, err)
            time.sleep(wait)
        raise RewardServiceError("no answer from the reward service after %d tries; last: %s" % (self.tries, last))

    def rewards(self, items, spec=None, judge=None):
        """POST /v1/rewards. items: [{"label"|"task"|"ref": ..., "completion": str}]; results in order."""
        body = {"items": [dict(item, id=i) for i, item in enumerate(items)]}
        spec = spec if spec is not None else os.environ.get("SECURECODERL_SPEC") or None
        if spec is not None:
            body["spec"] = spec
        if judge is not None:
            body["judge"] = judge
        answer = self.post("/v1/rewards", body)
        return answer["results"]


def _message(text):
    try:
        return json.loads(text)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return text[:300]


_default = None
_default_lock = threading.Lock()


def default_client():
    """One client per process (engines import the adapter once and call it many times)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RewardClient()
        return _default


def _looks_like_task_or_ref(value):
    if isinstance(value, dict):
        return "tests" in value or "task_id" in value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return False
        return isinstance(parsed, dict) and ("tests" in parsed or "task_id" in parsed)
    return False


def pick_label(label, extra_info=None):
    """What names the task: the label itself when it is a Task or a reference (the reward then never
    depends on other columns), else extra_info's task_ref, else the label taken as a task id."""
    if _looks_like_task_or_ref(label):
        return label
    extra = extra_info if isinstance(extra_info, dict) else {}
    ref = extra.get("task_ref")
    if ref:
        return ref
    return label


def extras(result):
    """The fixed numeric extras of one /v1/rewards result."""
    parts = result.get("parts") or {}
    compiled = bool(result.get("compiled"))
    total = result.get("total") or 0
    return {
        "function": float(parts.get("function", 0.0)),
        "quality": float(parts.get("quality", 0.0)),
        "compiled": 1.0 if compiled else 0.0,
        "passed_all": 1.0 if compiled and total > 0 and result.get("passed") == total else 0.0,
        "findings": float(parts.get("findings_counted", 0)),
        "no_code": float(parts.get("no_code", 0)),
        "judge_error": 1.0 if result.get("reward") is None or parts.get("judge_error") else 0.0,
        "cached": 1.0 if result.get("cached") else 0.0,
    }


def score_of(result):
    """The scalar reward; a sample whose task the service does not know is an error, never a made-up score."""
    if result.get("reward") is None:
        raise RewardServiceError("the reward service could not judge a sample (task %r): %s" % (result.get("task_id"), result.get("error")))
    return float(result["reward"])
