import { z } from "zod";
import type { JobResult } from "../sandbox/index.js";
import type { ServerContext } from "./context.js";
import { HttpError } from "./http.js";

/**
 * `POST /run_code` in SandboxFusion's shape (Python only), which verl's built-in code reward
 * calls once per test case (engines.md). The status mapping:
 *   timed out                      -> run TimeLimitExceeded, return_code null, status Failed
 *   any other end of the program   -> run Finished with its exit code; status Success only for
 *                                     exit code 0, else Failed (a syntax error is exit code 1:
 *                                     Python has no compile step, as in SandboxFusion)
 *   a failure of the sandbox itself -> status SandboxError, run_result null
 * A full queue answers 504, the one error verl retries.
 */

export const RunCodeSchema = z
  .object({
    code: z.string(),
    language: z.string(),
    stdin: z.string().nullish(),
    compile_timeout: z.number().nonnegative().nullish(),
    run_timeout: z.number().positive().nullish(),
    memory_limit_MB: z.number().nullish(),
    files: z.record(z.string(), z.string()).nullish(),
    fetch_files: z.array(z.string()).nullish(),
  })
  .passthrough();

export type RunCodeRequest = z.infer<typeof RunCodeSchema>;

export interface RunCodeResponse {
  status: "Success" | "Failed" | "SandboxError";
  message: string;
  compile_result: null;
  run_result: null | {
    status: "Finished" | "Error" | "TimeLimitExceeded";
    execution_time: number;
    return_code: number | null;
    stdout: string;
    stderr: string;
  };
  executor_pod_name: null;
  files: Record<string, string>;
}

const PYTHON = new Set(["python", "python3"]);

function checkedFiles(files: Record<string, string> | null | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, b64] of Object.entries(files ?? {})) {
    if (name === "" || name.startsWith("/") || name.includes("\u0000") || name.split(/[\\/]/).some((p) => p === "..")) {
      throw new HttpError(400, "invalid_request", `files: ${JSON.stringify(name)} must be a relative path inside the job's directory`);
    }
    out[name] = Buffer.from(b64, "base64");
  }
  return out;
}

export function toRunCodeResponse(r: JobResult): RunCodeResponse {
  const base = { compile_result: null, executor_pod_name: null, files: {} } as const;
  if (r.status === "sandbox_error") {
    return { ...base, status: "SandboxError", message: r.stderr.trim() || "the sandbox failed to run the program", run_result: null };
  }
  const timedOut = r.status === "timeout";
  const returnCode = timedOut ? null : r.exit_code;
  return {
    ...base,
    status: !timedOut && returnCode === 0 && r.status === "ok" ? "Success" : "Failed",
    message: "",
    run_result: {
      status: timedOut ? "TimeLimitExceeded" : "Finished",
      execution_time: Math.round(r.wall_ms) / 1000,
      return_code: returnCode,
      stdout: r.stdout,
      stderr: r.stderr,
    },
  };
}

export async function handleRunCode(ctx: ServerContext, body: RunCodeRequest, signal: AbortSignal): Promise<RunCodeResponse> {
  if (!PYTHON.has(body.language.toLowerCase())) {
    throw new HttpError(400, "unsupported_language", `language ${JSON.stringify(body.language)} is not supported: this service runs python only`);
  }
  if (body.fetch_files && body.fetch_files.length > 0) {
    throw new HttpError(400, "unsupported_field", "fetch_files is not supported: this service returns no files from a run");
  }
  const o = ctx.opts;
  const timeoutMs = Math.min(o.maxTimeoutMs, Math.round((body.run_timeout ?? o.timeoutMs / 1000) * 1000));
  const memoryMb = body.memory_limit_MB !== undefined && body.memory_limit_MB !== null && body.memory_limit_MB > 0 ? Math.min(o.maxMemoryMb, Math.round(body.memory_limit_MB)) : o.memoryMb;
  const files = checkedFiles(body.files);
  if (!ctx.admission.admit(1)) {
    throw new HttpError(504, "queue_full", `the verification queue is full (${ctx.admission.depth} waiting, limit ${ctx.admission.queueLimit}); retry`, { "retry-after": "1" });
  }
  let result: JobResult;
  try {
    result = await ctx.admission.run(
      () =>
        ctx.verifier.runProgram({
          // Bytes, as `python3 FILE` would read them: CPython judges encoding, NUL bytes and syntax.
          code: Buffer.from(body.code, "utf8"),
          filename: "solution.py",
          ...(body.stdin ? { stdin: body.stdin } : {}),
          files,
          limits: { timeoutMs, memoryMb },
        }),
      signal,
    );
  } catch (err) {
    if (signal.aborted) throw new HttpError(504, "deadline_exceeded", "not started within the request deadline; retry", { "retry-after": "1" });
    throw err;
  }
  const answer = toRunCodeResponse(result);
  ctx.metrics.runCode.inc({ status: answer.status });
  if (answer.status === "SandboxError") ctx.metrics.sandboxErrors.inc();
  return answer;
}
