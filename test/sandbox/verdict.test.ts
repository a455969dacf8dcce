import { describe, expect, it } from "vitest";
import { resolveLimits } from "../../src/sandbox/limits.js";
import { decideVerdict, type JobBytes, type WorkerObservation } from "../../src/sandbox/verdict.js";

/**
 * The job's status is decided from what the worker observed and the child's trusted lines; the
 * program's own report can only do what raising an exception could (issue 9, classes 1, 6, 8).
 */
const limits = resolveLimits({ timeoutMs: 2000 });
const START = '{"scrl": "start"}\n';

function bytes(parts: Partial<Record<keyof JobBytes, string>>): JobBytes {
  const b = (s?: string) => Buffer.from(s ?? "", "utf8");
  return { stdout: b(parts.stdout), stderr: b(parts.stderr), channel: b(parts.channel), trusted: b(parts.trusted), report: b(parts.report) };
}

function obs(o: Partial<WorkerObservation>): WorkerObservation {
  return { id: 1, exited: true, wall_ms: 1, cpu_ms: 1, max_rss_kb: 1, ...o };
}

describe("decideVerdict", () => {
  it("a normal exit is ok with the wait status's code, and trusted code's lines pass through without the sandbox's own", () => {
    const r = decideVerdict(obs({ exit_code: 3 }), bytes({ stdout: "42\n", trusted: `${START}{"started": true}\n` }), limits);
    expect(r).toMatchObject({ status: "ok", exit_code: 3, stdout: "42\n", trusted: '{"started": true}\n' });
  });

  it("a timeout the worker observed stands whatever the job wrote", () => {
    const r = decideVerdict(obs({ timed_out: true, signal: 9 }), bytes({ stdout: "42\n", trusted: START, report: '{"exit_code": 0}' }), limits);
    expect(r.status).toBe("timeout");
  });

  it("the program's exception report turns only a failing exit into a runtime error", () => {
    expect(decideVerdict(obs({ exit_code: 1 }), bytes({ trusted: START, report: '{"exception": "KeyError", "memory": false}' }), limits))
      .toMatchObject({ status: "runtime_error", exception: "KeyError" });
    expect(decideVerdict(obs({ exit_code: 0 }), bytes({ trusted: START, report: '{"exception": "KeyError"}' }), limits).status).toBe("ok");
    expect(decideVerdict(obs({ exit_code: 1 }), bytes({ trusted: START, report: "not json" }), limits).status).toBe("ok");
  });

  it("a program's exit code or signal is never a sandbox error once its code started", () => {
    expect(decideVerdict(obs({ exit_code: 121 }), bytes({ trusted: START }), limits).status).toBe("ok");
    expect(decideVerdict(obs({ exit_code: 120 }), bytes({ trusted: START, stdout: '{"scrl": "setup_error"}\n' }), limits).status).toBe("ok");
    expect(decideVerdict(obs({ signal: 11 }), bytes({ trusted: START }), limits)).toMatchObject({ status: "runtime_error" });
  });

  it("without the trusted start line nothing of the job ran: the sandbox's failure", () => {
    expect(decideVerdict(obs({ exit_code: 121 }), bytes({}), limits).status).toBe("sandbox_error");
    const setup = decideVerdict(obs({ exit_code: 120 }), bytes({ trusted: '{"scrl": "setup_error", "error": "x"}\n' }), limits);
    expect(setup.status).toBe("sandbox_error");
    expect(setup.stderr).toContain("sandbox setup failed");
  });

  it("compile errors and memory limits come from trusted lines and observations", () => {
    expect(decideVerdict(obs({ exit_code: 1 }), bytes({ trusted: '{"scrl": "compile_error", "type": "SyntaxError"}\n' }), limits).status).toBe("compile_error");
    expect(decideVerdict(obs({ shm_over: true, signal: 9 }), bytes({ trusted: START }), limits).status).toBe("memory_limit");
    expect(decideVerdict(obs({ signal: 24 }), bytes({ trusted: START }), limits).status).toBe("timeout");
    expect(decideVerdict(obs({ over_cap: true, signal: 9 }), bytes({ trusted: START }), limits).status).toBe("output_limit");
  });
});
