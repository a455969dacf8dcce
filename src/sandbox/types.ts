import type { Limits } from "./limits.js";
import type { RunResult } from "./outcome.js";

export interface PythonJob {
  /**
   * Python source executed as `__main__`. A Buffer is handed to CPython's compile() as bytes, so
   * coding cookies apply and non-UTF-8 source is a compile_error exactly as `python3 file.py` says.
   */
  code: string | Buffer;
  /** Name used in tracebacks and compile errors (default "<program>"). */
  filename?: string;
  /** Bytes fed to the child's real stdin (fd 0), then EOF. */
  stdin?: string | Buffer;
  /** Files written into the job's private, empty, writable working directory before it runs. */
  files?: Record<string, string | Buffer>;
  limits?: Partial<Limits>;
  /**
   * Trusted code sent with many jobs (the judge's driver): each worker compiles it once and forks
   * children that already hold the code object. Never set it for a program under test.
   */
  cacheCompiled?: boolean;
}

export interface JobResult extends RunResult {
  /**
   * Text the job wrote to the result channel: inside the child, `import _scrl_channel;
   * _scrl_channel.write(text)` appends to a private pipe separate from stdout/stderr.
   * `undefined` if nothing was written.
   */
  channel?: string;
  /**
   * What trusted code (`cacheCompiled`: the judge driver) wrote with `_scrl_channel.trusted(text)`
   * before it sealed that pipe (`_scrl_channel.seal()`) to run untrusted code. A program under test
   * never holds the pipe, so nothing here can come from it. `undefined` if nothing was written.
   */
  trusted?: string;
}
