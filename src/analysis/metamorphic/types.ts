import type { ParsedModule } from "../python/index.js";

export interface TransformOptions {
  /**
   * The task's entry function (a caller outside the file calls it by this name, with these
   * parameter names as keywords): its name and parameter names are kept.
   */
  entryFunction?: string;
  /**
   * Is `name` a submodule of package `module` (so `import module` alone would not load it)?
   * undefined when unknown; the import rewrite then leaves that import alone.
   */
  isSubmodule?: (module: string, name: string) => boolean | undefined;
}

/** A meaning-preserving rewrite: the new source, or null where it does not apply to this program. */
export type Transform = (mod: ParsedModule, options: TransformOptions) => string | null;
