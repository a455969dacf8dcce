/**
 * The one door to the tensor library (@tensorflow/tfjs with its WebAssembly backend). Everything
 * else imports `tf` from here, so a faster backend can replace this file alone later.
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export { tf };

export type TensorBackend = "wasm" | "cpu";

let chosen: Promise<TensorBackend> | undefined;

/**
 * Selects the WebAssembly backend once (idempotent). Its .wasm binaries are read from the installed
 * package, never fetched. Where wasm cannot start, the plain JavaScript backend is used, with one
 * warning. `SECURECODERL_TENSOR_BACKEND=cpu` forces the plain backend (for comparisons).
 */
export function initTensorBackend(opts: { threads?: number } = {}): Promise<TensorBackend> {
  chosen ??= (async () => {
    // PROD skips per-op NaN/shape debug checks and silences the "install tfjs-node" banner,
    // which cannot be installed here (its install downloads a binary).
    tf.env().set("PROD", true);
    if (process.env.SECURECODERL_TENSOR_BACKEND === "cpu") {
      await tf.setBackend("cpu");
      return "cpu";
    }
    try {
      const dist = join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
      setWasmPaths(dist);
      // The library's Node build runs single-threaded (its pthread workers are browser-only, tfjs
      // issue 3830); the count is still passed so a build that supports threads uses the cores.
      setThreadsCount(opts.threads ?? availableParallelism());
      if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
      await tf.ready();
      return "wasm";
    } catch (err) {
      process.stderr.write(`securecoderl: the WebAssembly tensor backend did not start (${(err as Error).message}); using the slower JavaScript backend\n`);
      await tf.setBackend("cpu");
      await tf.ready();
      return "cpu";
    }
  })();
  return chosen;
}

/** Threads the wasm backend actually runs with (1 on Node builds without pthread support). */
export function tensorThreads(): number {
  try {
    return tf.getBackend() === "wasm" ? getThreadsCount() : 1;
  } catch {
    return 1;
  }
}

/** For benchmarks that compare backends in one process: switch to another backend explicitly. */
export async function useTensorBackend(name: TensorBackend): Promise<void> {
  await initTensorBackend();
  if (!(await tf.setBackend(name))) throw new Error(`tensor backend ${name} failed to start`);
  await tf.ready();
}
