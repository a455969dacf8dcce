import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { parsePython } from "../../../src/analysis/python/index.js";
import { RuleEngine, type EngineOptions } from "../../../src/analysis/rules/index.js";
import { REPO_ROOT, datasetPath, pythonFiles } from "../../helpers.js";

// `appliesTo` lets the engine skip a rule for a whole module by a word test on its text. That is
// only a speed-up if it never changes a result: every corpus below is scanned with and without the
// prefilters, and the findings must be identical.


function findings(engine: RuleEngine, code: string): string[] {
  const module = parsePython(code);
  if (module.hasErrors) return [];
  const r = engine.run(module);
  return [...r.findings.map((f) => `${f.line_number}:${f.col_offset} ${f.test_id} ${f.issue_severity}/${f.issue_confidence}`), `nosec=${r.nosec} skipped=${r.skippedTests}`];
}

function expectSameWithAndWithout(sources: readonly string[], options: EngineOptions = {}): number {
  const fast = new RuleEngine(options);
  const slow = new RuleEngine({ ...options, withoutPrefilters: true });
  let reported = 0;
  for (const code of sources) {
    const want = findings(slow, code);
    expect(findings(fast, code), code.slice(0, 400)).toEqual(want);
    reported += want.length - 1;
  }
  return reported;
}

// Callees reached through every binding form Bandit resolves: aliases, from-imports, renamed
// from-imports, wildcard imports, relative imports, nested attribute chains, dynamic imports.
const BINDING_FORMS = [
  "from subprocess import call as c\nc('ls -l', shell=True)\n",
  "import subprocess as sp\nsp.Popen(cmd, shell=True)\n",
  "from os import *\nsystem(cmd)\npopen(cmd)\n",
  "from os import system as run_it\nrun_it('rm -rf /tmp/x')\n",
  "import os.path as p\np.os.system(x)\n",
  "from .os import system\nsystem(x)\n",
  "__import__('os').system('id')\nimportlib.import_module('telnetlib')\n",
  "import requests as r\nr.get(url, verify=False)\nr.post(url)\n",
  "from requests import get as fetch\nfetch(url)\n",
  "import httpx\nhttpx.Client(verify=False)\n",
  "from ssl import wrap_socket as w\nw(sock)\nw(sock, ssl_version=ssl.PROTOCOL_SSLv2)\n",
  "from yaml import load as yl\nyl(data)\n",
  "import yaml\nyaml.load(data, Loader=yaml.Loader)\n",
  "from torch import load as tl\ntl(path)\n",
  "from paramiko import client\nclient.SSHClient().exec_command(cmd)\n",
  "from jinja2 import Environment as E\nE(autoescape=False)\n",
  "from mako.template import Template as T\nT('x')\n",
  "from django.utils.safestring import mark_safe as ms\nms(user)\n",
  "from markupsafe import Markup as M\nM(user_input)\n",
  "from cryptography.hazmat.primitives.asymmetric import rsa as r\nr.generate_private_key(65537, 512)\n",
  "from Crypto.PublicKey import DSA as D\nD.generate(512)\n",
  "import hashlib as h\nh.md5(b'x')\nh.new('sha1')\n",
  "from crypt import crypt as cr\ncr('pw', 'ab')\n",
  "from pysnmp.hlapi import CommunityData as CD, UsmUserData as U\nCD('public', mpModel=0)\nU('user')\n",
  "import tarfile as t\nt.open(f).extractall()\n",
  "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n",
  "import os\nos.chmod('/etc/passwd', 0o777)\nos.execl('/bin/sh', 'sh')\nos.spawnlp(os.P_WAIT, 'ls', 'ls')\n",
  "from transformers import AutoModel as AM\nAM.from_pretrained('x/y')\n",
  "from logging.config import listen as L\nL(9999)\n",
  "from django.db.models.expressions import RawSQL as R\nR(user_sql)\nqs.extra(where=[user])\n",
  "def f():\n    exec(code)  # nosec B102\n    exec(code)  # nosec\n    exec(code)\n",
  "subprocess.call('ls *', shell=True)\nos.system('chown -R user *')\n",
  // The callee's last name is spelt only in pieces, inside strings.
  "import os\ngetattr(os, 'sys' + 'tem')(cmd)\n",
  "import subprocess as s\ngetattr(s, 'Po' + 'pen')(c, shell=True)\n",
  // ... and through a namespace read as a dict, with no getattr in the file.
  "import os\nvars(os)['sys' + 'tem'](cmd)\n",
  "import os\nos.__dict__['sys' 'tem'](cmd)\n",
  "import subprocess as sp\nf = vars(sp)['Po' + 'pen']\nf('ls', shell=True)\n",
  "import sys\nsys.modules['o' + 's'].__dict__.get('sys' + 'tem')(cmd)\n",
  "from os import __dict__ as d\nd['sys' + 'tem'](cmd)\n",
  "__builtins__['ev' + 'al'](code)\n",
];

describe("rule prefilters (appliesTo) never change findings", () => {
  it("on every Python fixture in the repository, and on callees bound in every import form", () => {
    const fixtures = pythonFiles(join(REPO_ROOT, "test")).map((f) => readFileSync(f, "utf8"));
    expect(fixtures.length).toBeGreaterThan(100);
    expect(expectSameWithAndWithout([...fixtures, ...BINDING_FORMS])).toBeGreaterThan(500);
  });

  it("with configured callee lists (shell_injection, extend_markup_names)", () => {
    const options: EngineOptions = {
      ruleOptions: {
        shell_injection: { subprocess: ["mylib.spawn_shell"], shell: ["mylib.run_text"], no_shell: ["mylib.exec_argv"] },
        markupsafe_markup_xss: { extend_markup_names: ["webhelpers.html.literal"] },
      },
    };
    const sources = [
      "import mylib\nmylib.spawn_shell('ls *', shell=True)\nmylib.run_text(cmd)\nmylib.exec_argv('ls')\n",
      "from mylib import run_text as rt\nrt('tar cf x *')\n",
      "from webhelpers.html import literal\nliteral(user)\n",
      ...BINDING_FORMS,
    ];
    expect(expectSameWithAndWithout(sources, options)).toBeGreaterThan(20);
  });

  it("on real dataset programs (SecCodePLT+ vulnerable and patched code)", async () => {
    const path = datasetPath("seccodeplt-plus/train.parquet");
    if (!path) return;
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<string, Record<string, string>>[];
    const sources: string[] = [];
    for (const row of rows) {
      const gt = row.ground_truth ?? {};
      const ut = row.unittest ?? {};
      for (const body of [gt.vulnerable_code, gt.patched_code]) sources.push(`${ut.setup ?? ""}\n${gt.code_before ?? ""}\n${body ?? ""}\n${gt.code_after ?? ""}`);
    }
    expect(sources.length).toBeGreaterThan(1000);
    expect(expectSameWithAndWithout(sources)).toBeGreaterThan(100);
  });
});
