/**
 * Code extraction: the one rule every command uses to turn a model's completion into the program
 * that is judged and analyzed (docs/extraction.md). Pure text processing, no Python involved:
 * whether the result compiles is CPython's call, later, in the sandbox.
 */

export interface ExtractOptions {
  /** The task's entry point (function, class or method name): a block defining it is preferred. */
  entryPoint?: string;
}

interface Block {
  lang: string;
  body: string;
}

const PYTHON_TAGS = new Set(["", "python", "py", "python3", "py3", "python2", "ipython", "pycon"]);
const OPEN_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;

/** Markdown fenced blocks (``` or ~~~, any info string); an unterminated fence runs to the end. */
function fencedBlocks(text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const blocks: Block[] = [];
  let open: { fence: string; lang: string; lines: string[] } | null = null;
  for (const line of lines) {
    if (open) {
      const trimmed = line.trim();
      const fenceChar = open.fence[0]!;
      const closing = /^(`{3,}|~{3,})$/.test(trimmed) && trimmed[0] === fenceChar && trimmed.length >= open.fence.length;
      // A fence glued to the last code line ("return x```") also closes the block.
      const glued = !closing && fenceChar === "`" && /\S```\s*$/.test(line);
      if (closing || glued) {
        if (glued) open.lines.push(line.replace(/```\s*$/, ""));
        blocks.push({ lang: open.lang, body: open.lines.join("\n") });
        open = null;
      } else {
        open.lines.push(line);
      }
      continue;
    }
    const m = OPEN_FENCE.exec(line);
    if (m) open = { fence: m[1]!, lang: m[2]!.toLowerCase().replace(/^\{?\.?/, "").replace(/\}$/, ""), lines: [] };
  }
  if (open) blocks.push({ lang: open.lang, body: open.lines.join("\n") });
  return blocks;
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** `<code>...</code>` blocks (HTML-style completions); an unterminated tag runs to the end. */
function tagBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const re = /<code(?:\s[^>]*)?>([\s\S]*?)(?:<\/code>|$)/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    blocks.push({ lang: "", body: decodeEntities(m[1]!) });
    if (m[0].length === 0) re.lastIndex++;
  }
  return blocks;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function definesEntry(code: string, entry: string): boolean {
  const name = escapeRegExp(entry);
  return new RegExp(`^[ \\t]*(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(|^[ \\t]*class[ \\t]+${name}\\b|^[ \\t]*${name}[ \\t]*=[ \\t]*lambda\\b`, "m").test(code);
}

/** Lines that only Python code starts with: statements, definitions, assignments, calls, comments. */
const CODE_LINE = new RegExp(
  [
    String.raw`^\s*(?:async\s+)?def\s+\w+\s*\(`,
    String.raw`^\s*class\s+\w+\s*[(:]`,
    String.raw`^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\s)`,
    String.raw`^\s*(?:if|elif|while|for|with|try|except|else|finally)\b.*:\s*(?:#.*)?$`,
    String.raw`^\s*(?:return|raise|yield|assert|print\s*\()`,
    String.raw`^\s*@\w`,
    String.raw`^\s*[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*,\s*[A-Za-z_][\w.]*)*\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)\s*\S`,
    String.raw`^\s*[A-Za-z_][\w.]*\(.*\)\s*$`,
  ].join("|"),
  "m",
);

/** Whether unfenced text reads as Python rather than prose (documented in docs/extraction.md). */
export function looksLikeCode(text: string): boolean {
  return CODE_LINE.test(text);
}

/**
 * Special tokens a chat model's raw output can end with when it is decoded with special tokens
 * kept (OpenRLHF's reward requests, logs of a served model): the `<|...|>` family (ChatML
 * `<|im_end|>`, `<|endoftext|>`, Llama 3 `<|eot_id|>` and `<|end_of_text|>`, Phi `<|end|>`),
 * DeepSeek's full-width `<｜end▁of▁sentence｜>`, and `</s>`, `<eos>`, `<pad>`, `<end_of_turn>`.
 * Only a run of them at the very end is removed: there they are never code, and left in place they
 * hide a closing fence (```` ```<|im_end|> ````). One inside the text is left alone.
 */
const TRAILING_SPECIAL_TOKENS = /(?:\s*(?:<\|[^|<>\s]{1,64}\|>|<｜[^｜<>\s]{1,64}｜>|<\/s>|<eos>|<pad>|<end_of_turn>))+\s*$/;

/** The completion without a trailing run of special tokens (and the whitespace between them). */
export function stripTrailingSpecialTokens(text: string): string {
  // Cheap test first: the regex is anchored at the end, but scanning a long text for its start is not free.
  if (!/[>]\s*$/.test(text)) return text;
  const m = TRAILING_SPECIAL_TOKENS.exec(text.slice(-4096));
  return m ? text.slice(0, text.length - m[0].length) : text;
}

/**
 * End-of-turn tokens of the `<|...|>` and DeepSeek families. A model's turn ends at the first one (the
 * engine stops generating there), so text after it was never the model's answer: it is cut, and a
 * policy cannot hide a second program behind `<|im_end|>` for the analyzers or the judge to pick
 * up. These spellings never occur in ordinary code; `</s>` or `<eos>` can (HTML, templates), so
 * those are removed only as a trailing run.
 */
const END_OF_TURN = /<\|(?:im_end|endoftext|eot_id|eom_id|end_of_text|end)\|>|<｜end▁of▁sentence｜>/;

/** The completion up to its first end-of-turn token. */
export function cutAtEndOfTurn(text: string): string {
  const m = END_OF_TURN.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/**
 * The program in a completion, or null when it holds no code.
 *  0. The text after the first end-of-turn token (`<|im_end|>`, `<|eot_id|>`, ...) is cut, and a
 *     trailing run of other special tokens (`</s>`, `<eos>`, ...) is removed.
 *  1. Markdown fenced blocks (``` or ~~~): Python-tagged or untagged blocks are the candidates (any
 *     block if none is); else `<code>` blocks; else the whole text.
 *  2. Among non-empty candidates, the last one that defines the entry point, else the last one.
 *  3. Unfenced text is code when some line reads as Python (looksLikeCode); prose alone is null.
 * The result keeps the block's own indentation and loses only surrounding blank lines.
 */
export function extractCode(raw: string, opts: ExtractOptions = {}): string | null {
  const completion = stripTrailingSpecialTokens(cutAtEndOfTurn(raw));
  if (completion.trim() === "") return null;
  let blocks = fencedBlocks(completion);
  if (blocks.length > 0) {
    const python = blocks.filter((b) => PYTHON_TAGS.has(b.lang));
    if (python.length > 0) blocks = python;
  } else {
    blocks = tagBlocks(completion);
  }
  if (blocks.length === 0) {
    return looksLikeCode(completion) ? trimBlankLines(completion) : null;
  }
  const candidates = blocks.map((b) => trimBlankLines(b.body)).filter((b) => b.trim() !== "");
  if (candidates.length === 0) return null;
  if (opts.entryPoint) {
    const defining = candidates.filter((c) => definesEntry(c, opts.entryPoint!));
    if (defining.length > 0) return defining[defining.length - 1]!;
  }
  return candidates[candidates.length - 1]!;
}

/** Drops leading and trailing blank lines and trailing whitespace, keeping the first line's indent. */
function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").replace(/\s+$/, "");
}
