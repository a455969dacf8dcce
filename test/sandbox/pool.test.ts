import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLimits, SandboxPool, SandboxUnavailableError } from "../../src/sandbox/index.js";
import { isRoot, leftoversAfterGrace, processesOfUids } from "./processes.js";

describe("SandboxPool", () => {
  let pool: SandboxPool;
  beforeAll(() => {
    pool = new SandboxPool({ jobs: 2, limits: { timeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await pool.close();
  });

  it("runs a stdin program and reports a normal exit", async () => {
    const r = await pool.run({ code: "import sys\nprint(sys.stdin.read().upper(), end='')\n", stdin: "hello\nworld\n" });
    expect(r).toMatchObject({ status: "ok", exit_code: 0, stdout: "HELLO\nWORLD\n", stderr: "" });
    expect(r.wall_ms).toBeGreaterThan(0);
    expect(r.max_rss_kb).toBeGreaterThan(0);
  });

  it("keeps exit codes, SystemExit messages, exceptions and compile errors apart", async () => {
    const [exit3, exitMsg, zero, syntax, nul] = await Promise.all([
      pool.run({ code: "import sys; sys.exit(3)" }),
      pool.run({ code: "raise SystemExit('bye')" }),
      pool.run({ code: "def f():\n    return 1/0\nf()\n", filename: "prog.py" }),
      pool.run({ code: "def f(:\n  pass\n", filename: "prog.py" }),
      pool.run({ code: "print(1)\u0000" }),
    ]);
    expect(exit3).toMatchObject({ status: "ok", exit_code: 3 });
    expect(exitMsg).toMatchObject({ status: "ok", exit_code: 1, stderr: "bye\n" });
    expect(zero).toMatchObject({ status: "runtime_error", exception: "ZeroDivisionError", exit_code: 1 });
    expect(zero.stderr).toContain('File "prog.py", line 2, in f');
    expect(zero.stderr).not.toContain("scrl_worker");
    expect(syntax.status).toBe("compile_error");
    expect(syntax.stderr).toContain("SyntaxError");
    expect(nul.status).toBe("compile_error");
  });

  it("gives CPython the source bytes: coding cookies apply and invalid UTF-8 is a compile error", async () => {
    const latin = Buffer.concat([Buffer.from("# -*- coding: latin-1 -*-\nprint('"), Buffer.from([0xe9]), Buffer.from("')\n")]);
    const bad = Buffer.concat([Buffer.from("print('"), Buffer.from([0xff, 0xfe]), Buffer.from("')\n")]);
    const [a, b] = await Promise.all([pool.run({ code: latin }), pool.run({ code: bad })]);
    expect(a).toMatchObject({ status: "ok", stdout: "é\n" });
    expect(b.status).toBe("compile_error");
  });

  it("provides files, a private fresh cwd per job, the result channel, numpy and a minimal argv/env", async () => {
    const r = await pool.run({
      code: [
        "import os, sys, json, numpy, _scrl_channel",
        "open('leftover.txt', 'w').write('x')",
        "open('/dev/shm/leftover', 'w').write('x')",
        "_scrl_channel.write(json.dumps({'argv': sys.argv, 'name': __name__, 'files': sorted(os.listdir('.')), 'data': open('in/data.txt').read(), 'np': int(numpy.arange(4).sum())}))",
      ].join("\n"),
      filename: "main.py",
      files: { "in/data.txt": "payload" },
    });
    expect(r.status, r.stderr).toBe("ok");
    expect(JSON.parse(r.channel!)).toEqual({ argv: ["main.py"], name: "__main__", files: ["in", "leftover.txt"], data: "payload", np: 6 });
    // Run enough jobs that both workers have served one after the job above.
    const after = await Promise.all([1, 2, 3, 4].map(() => pool.run({ code: "import os; print(sorted(os.listdir('.')), os.listdir('/dev/shm'), os.listdir('/tmp'))" })));
    for (const a of after) expect(a.stdout).toBe("[] [] ['job']\n");
    expect(after[0]!.channel).toBeUndefined();
  });

  it("imports numpy in the job's child only for jobs that name it, and a job that reaches it unnamed still gets it", async () => {
    const probe = "import sys, json, _scrl_channel; _scrl_channel.write(json.dumps('nu' + 'mpy' in sys.modules))";
    const [plain, named, hidden] = await Promise.all([
      pool.run({ code: probe }),
      pool.run({ code: `${probe}  # numpy` }),
      pool.run({ code: `${probe}; m = __import__('nu' + 'mpy'); print(int(m.arange(5).sum()))` }),
    ]);
    expect(plain.channel).toBe("false");
    expect(named.channel).toBe("true");
    expect(hidden).toMatchObject({ status: "ok", channel: "false", stdout: "10\n" });
  });

  it("imports dataclasses and xml.sax.saxutils on demand too, by the names a program uses", async () => {
    const probe = "import sys, json, _scrl_channel; _scrl_channel.write(json.dumps([m in sys.modules for m in ('data' + 'classes', 'xml.sax.' + 'sax' + 'utils')]))";
    const [plain, dc, sax, unnamed] = await Promise.all([
      pool.run({ code: probe }),
      pool.run({ code: `${probe}\nfrom dataclasses import dataclass` }),
      pool.run({ code: `${probe}\nfrom xml.sax import saxutils\nprint(saxutils.escape('<a>'))` }),
      pool.run({ code: `${probe}\nm = __import__('data' + 'classes'); print(m.is_dataclass(1))` }),
    ]);
    expect(plain.channel).toBe("[false, false]");
    expect(dc.channel).toBe("[true, false]");
    expect(sax).toMatchObject({ status: "ok", channel: "[false, true]", stdout: "&lt;a&gt;\n" });
    expect(unnamed).toMatchObject({ status: "ok", channel: "[false, false]", stdout: "False\n" });
  });

  it("starts each job as a fresh interpreter would after fork: new random seed, one thread, working locks", async () => {
    // The worker forks with a raw fork(2), skipping os.fork()'s hooks: what they did that a job can
    // see must still hold.
    const code = [
      "import random, threading, logging, os",
      "logging.basicConfig(level=logging.INFO, format='%(message)s')",
      "logging.info('log ok')",
      "t = threading.Thread(target=lambda: print('thread ok', flush=True)); t.start(); t.join()",
      "pid = os.fork()",
      "if pid == 0:\n    print('fork ok', flush=True)\n    os._exit(0)",
      "os.waitpid(pid, 0)",
      "print(threading.active_count(), threading.current_thread() is threading.main_thread())",
      "print(random.getrandbits(64))",
    ].join("\n");
    const runs = await Promise.all([0, 1, 2, 3].map(() => pool.run({ code })));
    const seeds = new Set<string>();
    for (const r of runs) {
      expect(r).toMatchObject({ status: "ok", exit_code: 0, stderr: "log ok\n" });
      const lines = r.stdout.trim().split("\n");
      expect(lines.slice(0, 3)).toEqual(["thread ok", "fork ok", "1 True"]);
      seeds.add(lines[3]!);
    }
    expect(seeds.size).toBe(runs.length);
  });

  it("rejects file names that escape the job directory", async () => {
    const r = await pool.run({ code: "print(1)", files: { "../../etc/x": "no" } });
    expect(r.status).toBe("sandbox_error");
    expect(r.stderr).toContain("escapes the job directory");
  });

  it("applies per-job limits: timeout, memory, output cap, CPU", async () => {
    const [slow, mem, out, cpu] = await Promise.all([
      pool.run({ code: "import time; time.sleep(60)", limits: { timeoutMs: 500 } }),
      pool.run({ code: "x = bytearray(300 * 1024 * 1024)", limits: { memoryMb: 128 } }),
      pool.run({ code: "print('z' * 5000)", limits: { maxOutputBytes: 1000 } }),
      pool.run({ code: "while True: pass", limits: { cpuSeconds: 1, timeoutMs: 30_000 } }),
    ]);
    expect(slow.status).toBe("timeout");
    expect(mem).toMatchObject({ status: "memory_limit", exception: "MemoryError" });
    expect(out.status).toBe("output_limit");
    expect(out.stdout.length).toBe(1000);
    expect(cpu.status).toBe("timeout");
    expect(cpu.stderr).toContain("CPU time limit");
  });

  it("survives jobs that break their own process, then runs the next job normally", async () => {
    const hostile = [
      "import os\nos.close(0); os.close(1); os.close(2)",
      "import builtins, os\nbuiltins.print = None\nos._exit = None\nos.write = None",
      "import os\nos._exit(9)",
      "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)",
      "import os, signal\nos.kill(1, signal.SIGSTOP)\nos.kill(1, signal.SIGINT)\nos.kill(1, signal.SIGTERM)",
      "import sys\nsys.modules.clear()",
    ];
    const single = new SandboxPool({ jobs: 1 });
    try {
      for (const code of hostile) {
        const r = await single.run({ code });
        expect(r.status, `${code}: ${r.stderr}`).not.toBe("sandbox_error");
        const next = await single.run({ code: "print(sum(range(10)))" });
        expect(next, code).toMatchObject({ status: "ok", stdout: "45\n" });
      }
    } finally {
      await single.close();
    }
  });

  it("spreads concurrent jobs over the workers and keeps every result with its job", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run({ code: "print(int(input()) * 2)", stdin: `${i}\n` })));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => `${i * 2}\n`));
  });
});

describe.skipIf(!isRoot)("process cleanup", () => {
  it("leaves no live process of its uids after close(), daemons included", async () => {
    const pool = new SandboxPool({ jobs: 2 });
    const daemon = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)\nprint('spawned')";
    const rs = await Promise.all([pool.run({ code: daemon }), pool.run({ code: daemon })]);
    expect(rs.map((r) => r.stdout)).toEqual(["spawned\n", "spawned\n"]);
    const uids = pool.workerUids;
    expect(uids).toHaveLength(2);
    const first = Math.min(...uids);
    const last = Math.max(...uids);
    // The check sees the warm workers themselves while the pool is open, so an empty answer later means something.
    expect(processesOfUids(first, last).length).toBeGreaterThanOrEqual(2);
    await pool.close();
    expect(await leftoversAfterGrace(first, last)).toEqual([]);
  });

  it("gives each worker slot its own uid so one job's fork bomb cannot starve another worker", async () => {
    const pool = new SandboxPool({ jobs: 2, limits: { timeoutMs: 3000, maxProcesses: 16 } });
    try {
      const bomb = pool.run({ code: "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass" });
      const spawner = pool.run({ code: "import os, time\ntime.sleep(0.5)\nkids = []\nfor _ in range(8):\n    pid = os.fork()\n    if pid == 0:\n        os._exit(0)\n    kids.append(pid)\nfor k in kids:\n    os.waitpid(k, 0)\nprint(len(kids))" });
      const [b, s] = await Promise.all([bomb, spawner]);
      expect(b.status).toBe("timeout");
      expect(s).toMatchObject({ status: "ok", stdout: "8\n" });
      expect(new Set(pool.workerUids).size).toBe(2);
    } finally {
      await pool.close();
    }
  });
});

describe("configuration", () => {
  it("derives the CPU limit from the timeout unless given", () => {
    expect(resolveLimits({ timeoutMs: 2500 }).cpuSeconds).toBe(4);
    expect(resolveLimits({ timeoutMs: 2500, cpuSeconds: 9 }).cpuSeconds).toBe(9);
    expect(resolveLimits(undefined, { memoryMb: undefined }).memoryMb).toBe(1024);
  });

  it("fails with the package to install when bubblewrap is missing", () => {
    const saved = process.env.SECURECODERL_BWRAP;
    process.env.SECURECODERL_BWRAP = "/nonexistent/bwrap";
    try {
      expect(() => new SandboxPool({ jobs: 1 })).toThrow(SandboxUnavailableError);
      expect(() => new SandboxPool({ jobs: 1 })).toThrow(/apt-get install bubblewrap/);
    } finally {
      if (saved === undefined) delete process.env.SECURECODERL_BWRAP;
      else process.env.SECURECODERL_BWRAP = saved;
    }
  });
});
