/**
 * The one set of input rules every caller of the Verifier gets (bench, verify, serve, train): what
 * a completion must be for its code to be judged, and what it scores when it is not. Documented in
 * docs/verification.md.
 *
 * A completion is the policy's own output, so a completion we refuse must never score better than
 * an honest attempt, and must never come back without a reward: a trainer would drop a null reward
 * (so the policy never learns to avoid the behaviour) and a benchmark would leave it out of its
 * denominators (so the model looks better). Each refusal therefore maps to the spec's penalty for
 * the nearest honest verdict:
 *   - an empty completion holds no code                       -> the no-code penalty;
 *   - code CPython could not run as source (NUL byte, lone UTF-16 surrogate, over the size limit)
 *                                                              -> the compile-error penalty.
 * Problems in the prose around the code do not matter: only the extracted program is judged.
 */

/** Extracted code above this size is refused before it reaches the sandbox or the analyzers. */
export const MAX_CODE_BYTES = 1024 * 1024;

export type InputRefusal =
  /** Judged as "no code": the spec's no-code penalty. */
  | { as: "no_code"; error: string }
  /**
   * Judged as code that cannot run: compiled false, the spec's compile-error penalty. `dropCode`:
   * the program is not copied into the result (it is too big to repeat in every output).
   */
  | { as: "compile_error"; error: string; compileError: string; dropCode?: boolean };

const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with each lone surrogate replaced by U+FFFD, as a UTF-8 encoder writes it. */
export function wellFormed(text: string): string {
  LONE_SURROGATES.lastIndex = 0;
  return LONE_SURROGATES.test(text) ? text.replace(LONE_SURROGATES, "\ufffd") : text;
}

/** Rules on the raw completion, before extraction. */
export function refuseCompletion(completion: string): InputRefusal | null {
  if (completion.trim() === "") return { as: "no_code", error: "empty completion" };
  return null;
}

/**
 * Rules on the extracted program. CPython itself refuses source with a NUL byte ("source code
 * cannot contain null bytes"), so that is a compile error, found here without a sandbox run; the
 * size limit keeps a runaway generation out of the sandbox and the analyzers.
 */
export function refuseCode(code: string): InputRefusal | null {
  if (code.includes("\u0000")) {
    return { as: "compile_error", error: "completion contains a NUL byte", compileError: "SyntaxError: source code cannot contain null bytes" };
  }
  // Bytes without encoding: a string of N UTF-16 units has at most 3N UTF-8 bytes.
  if (code.length * 3 > MAX_CODE_BYTES && Buffer.byteLength(code, "utf8") > MAX_CODE_BYTES) {
    return { as: "compile_error", error: `code exceeds the ${MAX_CODE_BYTES}-byte limit`, compileError: `code exceeds the ${MAX_CODE_BYTES}-byte limit`, dropCode: true };
  }
  return null;
}
