import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The driver's parts under python/, joined in this order; the core's main() dispatches to the others. */
const DRIVER_PARTS = [
  "scrl_driver.py",
  "scrl_driver_seccodeplt.py",
  "scrl_driver_safesql.py",
  "scrl_driver_safesql_child.py",
];

let source: string | undefined;

/**
 * The in-sandbox judge driver (see docs/judges.md): python/scrl_driver*.py joined into one program
 * and run as the job's __main__. Found from this module two levels below the package root (src/judge
 * under tsx, dist/judge or dist/bundle once built), as the sandbox finds python/scrl_worker.py.
 */
export function driverSource(): string {
  if (source !== undefined) return source;
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "python");
  const parts = DRIVER_PARTS.map((name) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`judge driver not found at ${path} (broken installation)`);
    return readFileSync(path, "utf8");
  });
  source = `${parts.join("\n\n")}\n\nmain()\n`;
  return source;
}
