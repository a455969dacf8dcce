import type { PythonJob } from "./types.js";

/**
 * Modules the worker imports on demand, in the job's own child before its limits and code
 * (python/scrl_worker.py, ON_DEMAND), instead of pre-importing them for every job: numpy is 8 of
 * the worker's 22 MB, dataclasses and xml.sax.saxutils (with what they import) 4.6 MB more, and
 * every fork from the worker copied page tables for them. `named` is the text that counts as
 * naming the module (`from xml.sax import saxutils` names saxutils, not xml.sax.saxutils).
 */
const ON_DEMAND: ReadonlyArray<{ module: string; named: string; namedBytes: Buffer }> = [
  { module: "numpy", named: "numpy" },
  { module: "dataclasses", named: "dataclasses" },
  { module: "xml.sax.saxutils", named: "saxutils" },
].map((m) => ({ ...m, namedBytes: Buffer.from(m.named) }));

/**
 * The on-demand modules a job names anywhere in its program or files (an import, a comment, a
 * string: any mention counts, so a false positive only costs the import). A program that reaches a
 * module without naming it (`__import__("nu" + "mpy")`) still gets it, from its own import: this
 * choice changes only what the job costs, never what it can do. Trusted code compiled once per
 * worker (the judge driver, `cacheCompiled`) is not scanned: it handles numpy values without
 * importing numpy itself.
 */
export function onDemandModules(job: PythonJob): string[] {
  const texts: Array<string | Buffer> = Object.values(job.files ?? {});
  if (job.cacheCompiled !== true) texts.push(job.code);
  return ON_DEMAND.filter(({ named, namedBytes }) => texts.some((t) => (typeof t === "string" ? t.includes(named) : t.includes(namedBytes)))).map((m) => m.module);
}
