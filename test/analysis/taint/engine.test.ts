import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";
import { analyzeTaint, TaintTimeout } from "../../../src/analysis/taint/engine.js";
import { detect, type VulnContext } from "../../../src/analysis/vuln/index.js";

/** The distinct CWE ids of the taint findings for a program, in line order. */
function taintCwes(code: string, ctx: VulnContext = {}): number[] {
  const r = detect(code, ctx);
  return [...new Set(r.findings.filter((f) => f.test_name.startsWith("taint-")).map((f) => f.issue_cwe.id))];
}

const entry = (fn: string, cwe?: string): VulnContext => ({ entryFunction: fn, ...(cwe ? { cwe } : {}) });

describe("flow sensitivity and merges", () => {
  it("a value overwritten by a constant before the sink is clean; a branch that keeps it is not", () => {
    expect(taintCwes("import os\ndef f(x):\n    c = x\n    c = 'ls'\n    os.system(c)\n", entry("f", "78"))).toEqual([]);
    expect(taintCwes("import os\ndef f(x, flag):\n    c = 'ls'\n    if flag:\n        c = x\n    os.system(c)\n", entry("f", "78"))).toEqual([78]);
  });

  it("loops carry taint around the back edge", () => {
    const code = "import os\ndef f(x):\n    cmd = 'echo'\n    for _ in range(3):\n        os.system(cmd)\n        cmd = cmd + x\n";
    expect(taintCwes(code, entry("f"))).toEqual([78]);
  });

  it("only the SQL string of execute is a sink, not its bound parameters", () => {
    expect(taintCwes("def f(cur, name):\n    cur.execute('SELECT * FROM t WHERE n = ?', (name,))\n", entry("f"))).toEqual([]);
    expect(taintCwes("def f(cur, name):\n    cur.execute('SELECT * FROM t WHERE n = %s' % name)\n", entry("f"))).toEqual([89]);
    expect(taintCwes("def f(cur, name):\n    cur.execute('SELECT * FROM t WHERE n = {}'.format(name))\n", entry("f"))).toEqual([89]);
  });

  it("hand-written entity escaping counts for HTML, typed request getters are not text", () => {
    expect(taintCwes("def show(c):\n    return '<p>' + c.replace('&', '&amp;').replace('<', '&lt;') + '</p>'\n", entry("show", "79"))).toEqual([]);
    expect(taintCwes("import os\nfrom flask import request\ndef h():\n    n = request.args.get('n', type=int)\n    os.system('sleep %d' % n)\n")).toEqual([]);
  });

  it("sanitizers are per class: html.escape does not make SQL safe", () => {
    expect(taintCwes("import html\ndef f(cur, n):\n    cur.execute(\"SELECT '%s'\" % html.escape(n))\n", entry("f"))).toEqual([89]);
    expect(taintCwes("import shlex, os\ndef f(n):\n    os.system('ls ' + shlex.quote(n))\n", entry("f"))).toEqual([]);
  });
});

describe("guards", () => {
  it("a failing branch that raises makes the check dominate the sink", () => {
    const code = "import os\nALLOWED = {'a', 'b'}\ndef f(x):\n    if x not in ALLOWED:\n        raise ValueError('no')\n    os.system('run ' + x)\n";
    expect(taintCwes(code, entry("f"))).toEqual([]);
  });

  it("the positive form guards only its own branch", () => {
    const code = "import os\nALLOWED = {'a'}\ndef f(x):\n    if x in ALLOWED:\n        os.system(x)\n    os.popen(x)\n";
    const r = detect(code, entry("f", "78"));
    expect(r.findings.filter((f) => f.test_name.startsWith("taint-")).map((f) => f.line_number)).toEqual([6]);
  });

  it("a check that does not dominate (denylist-free path around it) does not sanitize", () => {
    const code = "import os\ndef f(x, strict):\n    if strict:\n        if not x.isalnum():\n            raise ValueError()\n    os.system(x)\n";
    expect(taintCwes(code, entry("f", "78"))).toEqual([78]);
  });

  it("anchored regex allow-lists count; unanchored searches do not", () => {
    const ok = "import re\ndef f(e):\n    if not re.match(r'^[0-9+*/ -]+$', e):\n        raise ValueError()\n    return eval(e)\n";
    const bad = "import re\ndef f(e):\n    if not re.search(r'[0-9]+', e):\n        raise ValueError()\n    return eval(e)\n";
    expect(taintCwes(ok, entry("f", "95"))).toEqual([]);
    expect(taintCwes(bad, entry("f", "95"))).toEqual([95]);
    const compiled = "import re\nPAT = re.compile(r'[a-z]+\\Z')\ndef f(e):\n    if PAT.match(e):\n        return eval(e)\n";
    expect(taintCwes(compiled, entry("f", "95"))).toEqual([]);
  });

  it("all()/any() over the characters of a value, and loops that reject elements", () => {
    const allChars = "def f(e):\n    if not all(c in '0123456789+-' for c in e):\n        raise ValueError()\n    return eval(e)\n";
    expect(taintCwes(allChars, entry("f", "95"))).toEqual([]);
    const loop = "import os\ndef f(parts, allowed):\n    for p in parts:\n        if p not in allowed:\n            raise ValueError(p)\n    os.system(' '.join(parts))\n";
    expect(taintCwes(loop, entry("f", "78"))).toEqual([]);
    const astWalk =
      "import ast\ndef f(src):\n    tree = ast.parse(src, mode='eval')\n    for node in ast.walk(tree):\n        if isinstance(node, (ast.Call, ast.Attribute)):\n            raise ValueError()\n    return eval(compile(tree, '<x>', 'eval'))\n";
    expect(taintCwes(astWalk, entry("f", "95"))).toEqual([]);
  });

  it("rejecting line breaks validates a header value", () => {
    const ok = "def f(v):\n    if '\\r' in v or '\\n' in v:\n        raise ValueError()\n    return f'X-Header: {v}'\n";
    const bad = "def f(v):\n    return f'X-Header: {v}'\n";
    expect(taintCwes(ok, entry("f", "74"))).toEqual([]);
    expect(taintCwes(bad, entry("f", "74"))).toEqual([74]);
  });

  it("a host check on the parsed URL validates the URL itself", () => {
    const code =
      "import requests\nfrom urllib.parse import urlparse\nHOSTS = ['a.com']\ndef f(url):\n    p = urlparse(url)\n    if p.hostname not in HOSTS:\n        raise ValueError()\n    return requests.get(url).text\n";
    expect(taintCwes(code, entry("f", "918"))).toEqual([]);
    expect(taintCwes("import requests\ndef f(url):\n    return requests.get(url).text\n", entry("f", "918"))).toEqual([918]);
  });

  it("relative URLs (empty host), any() over allowed hosts and domain suffix checks", () => {
    const relative =
      "from urllib.parse import urlparse\nALLOWED = {'a.com'}\ndef f(u):\n    p = urlparse(u)\n    if p.netloc and p.netloc not in ALLOWED:\n        raise ValueError()\n    return u\n";
    expect(taintCwes(relative, entry("f", "601"))).toEqual([]);
    const anyHost =
      "import requests\nfrom urllib.parse import urlparse\nHOSTS = ['a.com']\ndef f(u):\n    host = urlparse(u).hostname\n    if not any(host == h for h in HOSTS):\n        raise ValueError()\n    return requests.get(u).text\n";
    expect(taintCwes(anyHost, entry("f", "918"))).toEqual([]);
    const suffix =
      "import requests\nfrom urllib.parse import urlparse\ndef f(u):\n    p = urlparse(u)\n    if not p.hostname.endswith('.example.com'):\n        raise ValueError()\n    return requests.get(u).text\n";
    expect(taintCwes(suffix, entry("f", "918"))).toEqual([]);
    const rawSuffix = "import requests\ndef f(u):\n    if not u.endswith('.json'):\n        raise ValueError()\n    return requests.get(u).text\n";
    expect(taintCwes(rawSuffix, entry("f", "918"))).toEqual([918]);
  });

  it("a prefix check on a resolved path is containment; on the raw path it is not", () => {
    const ok = "import os\nBASE = '/srv'\ndef f(name):\n    p = os.path.realpath(os.path.join(BASE, name))\n    if not p.startswith(BASE):\n        raise ValueError()\n    return open(p).read()\n";
    const bad = "import os\nBASE = '/srv'\ndef f(name):\n    p = os.path.join(BASE, name)\n    if not p.startswith(BASE):\n        raise ValueError()\n    return open(p).read()\n";
    expect(taintCwes(ok, entry("f"))).toEqual([]);
    expect(taintCwes(bad, entry("f"))).toEqual([22]);
  });
});

describe("interprocedural summaries", () => {
  it("applies parameter-to-return and parameter-to-sink summaries at call sites", () => {
    const code =
      "import os\ndef wrap(v):\n    return 'echo ' + v\ndef run(c):\n    os.system(c)\ndef entry(x):\n    run(wrap(x))\n";
    const r = detect(code, entry("entry"));
    const f = r.findings.find((x) => x.issue_cwe.id === 78)!;
    expect(f).toBeDefined();
    expect(f.line_number).toBe(5);
    expect(f.flow!.map((s) => s.message).join(" | ")).toMatch(/source: parameter x.*through wrap\(\).*passed to run\(\).*sink: os.system/);
  });

  it("a helper that sanitizes makes the call clean", () => {
    const code = "import os, shlex\ndef clean(v):\n    return shlex.quote(v)\ndef entry(x):\n    os.system('ls ' + clean(x))\n";
    expect(taintCwes(code, entry("entry"))).toEqual([]);
  });

  it("recursion reaches a fixpoint", () => {
    const code = "import os\ndef build(v, n):\n    if n == 0:\n        return v\n    return build(v + 'x', n - 1)\ndef entry(x):\n    os.system(build(x, 3))\n";
    expect(taintCwes(code, entry("entry", "78"))).toEqual([78]);
  });

  it("closures and lambdas see the captured taint", () => {
    const lam = "def entry(cond):\n    parts = cond.split('AND')\n    check = lambda item: eval(' and '.join(parts), item)\n    return check\n";
    expect(taintCwes(lam, entry("entry", "95"))).toEqual([95]);
    const nested = "import os\ndef entry(x):\n    def go():\n        os.system(x)\n    go()\n";
    expect(taintCwes(nested, entry("entry", "78"))).toEqual([78]);
  });
});

describe("containers, attributes and strings", () => {
  it("a container holding a tainted element is tainted", () => {
    const code = "import os\ndef f(x):\n    args = ['ls']\n    args.append(x)\n    os.system(' '.join(args))\n";
    expect(taintCwes(code, entry("f", "78"))).toEqual([78]);
    const d = "import os\ndef f(x):\n    opts = {}\n    opts['cmd'] = x\n    os.system(opts['cmd'])\n";
    expect(taintCwes(d, entry("f", "78"))).toEqual([78]);
  });

  it("self.attr keeps its own taint (one-level access paths)", () => {
    const code = "import os\nclass A:\n    def run(self, x):\n        self.safe = 'ls'\n        self.cmd = x\n        os.system(self.safe)\n        os.popen(self.cmd)\n";
    const r = detect(code, entry("run", "78"));
    expect(r.findings.filter((f) => f.test_name.startsWith("taint-")).map((f) => f.line_number)).toEqual([7]);
  });

  it("comprehension filters act as guards on their element", () => {
    const code = "import os\nOK = {'a'}\ndef f(xs):\n    for c in [x for x in xs if x in OK]:\n        os.system(c)\n";
    expect(taintCwes(code, entry("f", "78"))).toEqual([]);
  });

  it("a fixed scheme and host before the user part is not SSRF", () => {
    expect(taintCwes("import requests\ndef f(i):\n    return requests.get(f'https://api.example.com/items/{i}').text\n", entry("f"))).toEqual([]);
    expect(taintCwes("import requests\ndef f(h):\n    return requests.get(f'https://{h}/items').text\n", entry("f"))).toEqual([918]);
  });

  it("returned markup is a sink when the task's CWE says the return value is the output", () => {
    const code = "TPL = '<p>{c}</p>'\ndef show(c):\n    return TPL.format(c=c)\n";
    expect(taintCwes(code, entry("show", "79"))).toEqual([79]);
    expect(taintCwes("import html\nTPL = '<p>{c}</p>'\ndef show(c):\n    return TPL.format(c=html.escape(c))\n", entry("show", "79"))).toEqual([]);
    expect(taintCwes(code, entry("show"))).toEqual([]);
  });
});

describe("sources without context", () => {
  it("input() at module level reaching sqlite is SQL injection with a path", () => {
    const code = "import sqlite3\ncur = sqlite3.connect('x.db').cursor()\nname = input('name: ')\nq = f\"SELECT * FROM t WHERE n = '{name}'\"\ncur.execute(q)\n";
    const r = detect(code);
    const f = r.findings.find((x) => x.issue_cwe.id === 89)!;
    expect(f.test_id).toBe("VULN-CWE-89");
    expect(f.flow!.map((s) => s.line)).toEqual([3, 3, 4, 5]);
  });

  it("a plain scan takes no function parameter as attacker input, except a web route's; called helpers get their callers' taint", () => {
    expect(taintCwes("import os\ndef api(x):\n    os.system('ls ' + x)\n")).toEqual([]);
    expect(taintCwes("import os\nfrom flask import Flask\napp = Flask(__name__)\n@app.route('/run/<x>')\ndef api(x):\n    os.system('ls ' + x)\n")).toEqual([78]);
    const helper = "import sqlite3\ndef run_query(cur, sql, params=()):\n    cur.execute(sql, params)\n    return cur.fetchall()\ncur = sqlite3.connect('x.db').cursor()\nname = input()\nrun_query(cur, 'SELECT * FROM t WHERE n = ?', (name,))\n";
    expect(taintCwes(helper)).toEqual([]);
    expect(taintCwes(helper.replace("'SELECT * FROM t WHERE n = ?', (name,)", "'SELECT * FROM t WHERE n = ' + name"))).toEqual([89]);
  });
});

describe("snippets without their imports", () => {
  it("resolves a bare name that only one modelled function carries, unless the file defines it", () => {
    expect(taintCwes("def f(u):\n    return redirect(u)\n", entry("f", "601"))).toEqual([601]);
    expect(taintCwes("def f(u):\n    redirect('/a/' + u)\n", entry("f", "89"))).toEqual([601]);
    expect(taintCwes("def redirect(u):\n    return u\ndef f(u):\n    redirect('/a/' + u)\n", entry("f", "89"))).toEqual([]);
    // `loads` is pickle's sink and json's sanitizer: ambiguous, not guessed.
    expect(taintCwes("def f(d):\n    return loads(d)\n", entry("f", "502"))).toEqual([]);
  });
});

describe("robustness", () => {
  it("syntax errors are reported and the rest is analyzed", () => {
    const r = detect("import os\ndef f(x):\n    os.system(x)\ndef broken(:\n    pass\n", entry("f", "78"));
    expect(r.errors.some((e) => e.includes("syntax error"))).toBe(true);
    expect(r.findings.some((f) => f.issue_cwe.id === 78)).toBe(true);
  });

  it("deeply nested expressions, huge literals and 10 MB files finish without crashing", () => {
    const deep = "import os\ndef f(x):\n    os.system(" + "(".repeat(1000) + "x" + ")".repeat(1000) + ")\n";
    expect(() => detect(deep, entry("f"))).not.toThrow();
    const chain = "import os\ndef f(x):\n    y = " + Array.from({ length: 1500 }, () => "x").join(" + ") + "\n    os.system(y)\n";
    expect(taintCwes(chain, entry("f"))).toEqual([78]);
    const huge = "S = '" + "a".repeat(10 * 1024 * 1024) + "'\n";
    const r = detect(huge);
    expect(r.findings).toEqual([]);
  });

  it("hostile nesting (20000-deep attribute chains, calls, tuple targets) ends in findings or a reported timeout", () => {
    const n = 20000;
    for (const src of [
      "def f(x):\n    if x" + ".a".repeat(n) + " in S:\n        pass\n",
      "import os\ndef f(x):\n    y = " + "str(".repeat(n) + "x" + ")".repeat(n) + "\n    os.system(y)\n",
      "def f(x):\n    " + "(".repeat(n) + "a" + ",)".repeat(n) + " = x\n",
    ]) {
      // The taint engine alone: this is about its own walkers and budget.
      let outcome = "finished";
      try {
        analyzeTaint(parsePython(src), { entryFunction: "f", deadline: Date.now() + 500 });
      } catch (err) {
        expect(err).toBeInstanceOf(TaintTimeout);
        outcome = "timeout";
      }
      expect(["finished", "timeout"]).toContain(outcome);
    }
  });

  it("the time budget stops the analysis and says so", () => {
    const body = Array.from({ length: 400 }, (_, i) => `    v${i} = x + str(${i})\n    if v${i} in S:\n        x = v${i}\n`).join("");
    const r = detect(`import os\nS = set()\ndef f(x):\n${body}    os.system(x)\n`, { entryFunction: "f", timeBudgetMs: 1 });
    expect(r.timedOut).toBe(true);
    expect(r.errors.some((e) => e.includes("time budget"))).toBe(true);
  });
});

describe("template filling and compiled substitutions", () => {
  const fill = (value: string) =>
    `import html\ndef render(template, values):\n    for key, v in values.items():\n        template = template.replace('{{' + key + '}}', ${value})\n    return template\n`;

  it("CWE-77: values spliced into a returned template are a sink, escaped values are not", () => {
    expect(taintCwes(fill("str(v)"), entry("render", "77"))).toEqual([77]);
    expect(taintCwes(fill("html.escape(str(v))"), entry("render", "77"))).toEqual([]);
    expect(taintCwes("def f(tpl, **kw):\n    return tpl.format(**kw)\n", entry("f", "77"))).toEqual([77]);
  });

  it("CWE-77: a returned value that splices nothing (command output, the template itself) is not a sink", () => {
    const run = "import subprocess\ndef run(cmd, args):\n    return subprocess.check_output([cmd] + args, text=True).strip()\n";
    expect(taintCwes(run, entry("run", "77"))).toEqual([]);
    expect(taintCwes("def f(tpl, name):\n    if not name:\n        return tpl\n    return tpl.upper()\n", entry("f", "77"))).toEqual([]);
  });

  it("re.compile(P).sub(R, x) sanitizes like re.sub(P, R, x): allow-lists only", () => {
    const sql = (filter: string) => `import re\ndef f(cur, x):\n    ${filter}\n    cur.execute("SELECT * FROM t WHERE a = '%s'" % y)\n`;
    expect(taintCwes(sql("y = re.compile(r'[^a-zA-Z ]').sub('', x)"), entry("f"))).toEqual([]);
    expect(taintCwes(sql("p = re.compile(r'[^0-9]')\n    y = p.sub('', x)"), entry("f"))).toEqual([]);
    expect(taintCwes(sql("p = re.compile(r\"'\")\n    y = p.sub('', x)"), entry("f"))).toEqual([89]);
  });
});
