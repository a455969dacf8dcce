/**
 * Tokenizers for the in-process trainer. Both reserve the same special ids so a model's
 * config only needs the vocabulary size: 0 = padding, 1 = beginning of sequence, 2 = end of sequence.
 */
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
const SPECIALS = 3;

export interface Tokenizer {
  readonly kind: "byte" | "line";
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Plain data that `tokenizerFromJSON` turns back into the same tokenizer (saved with checkpoints). */
  toJSON(): TokenizerJSON;
}

export type TokenizerJSON = { kind: "byte" } | { kind: "line"; lines: string[] };

/** UTF-8 bytes, one id each: works on any text, at the cost of long sequences. */
export class ByteTokenizer implements Tokenizer {
  readonly kind = "byte" as const;
  readonly vocabSize = 256 + SPECIALS;
  encode(text: string): number[] {
    return Array.from(Buffer.from(text, "utf8"), (b) => b + SPECIALS);
  }
  decode(ids: readonly number[]): string {
    // Specials carry no text, so they are dropped rather than decoded as control bytes.
    const bytes = ids.filter((id) => id >= SPECIALS && id < this.vocabSize).map((id) => id - SPECIALS);
    return Buffer.from(bytes).toString("utf8");
  }
  toJSON(): TokenizerJSON {
    return { kind: "byte" };
  }
}

/**
 * One id per distinct line of a corpus (newline included in the line): tiny models can then learn
 * whole-statement choices such as "parameterised query" versus "string-formatted query".
 * A line never seen in the corpus falls back to the unknown id, so encoding never fails.
 */
export class LineTokenizer implements Tokenizer {
  readonly kind = "line" as const;
  static readonly UNKNOWN_ID = SPECIALS;
  private readonly idOf = new Map<string, number>();

  constructor(readonly lines: readonly string[]) {
    lines.forEach((line, i) => this.idOf.set(line, i + SPECIALS + 1));
  }

  /** Distinct lines in first-seen order, so the same corpus always gives the same ids. */
  static fromCorpus(texts: readonly string[]): LineTokenizer {
    const seen = new Set<string>();
    for (const text of texts) for (const line of splitLines(text)) seen.add(line);
    return new LineTokenizer([...seen]);
  }

  get vocabSize(): number {
    return this.lines.length + SPECIALS + 1;
  }
  encode(text: string): number[] {
    return splitLines(text).map((line) => this.idOf.get(line) ?? LineTokenizer.UNKNOWN_ID);
  }
  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id > LineTokenizer.UNKNOWN_ID && id < this.vocabSize)
      .map((id) => this.lines[id - SPECIALS - 1])
      .join("");
  }
  toJSON(): TokenizerJSON {
    return { kind: "line", lines: [...this.lines] };
  }
}

/** Lines with their newline kept, so decode(encode(x)) === x for text made of known lines. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function tokenizerFromJSON(json: TokenizerJSON): Tokenizer {
  return json.kind === "byte" ? new ByteTokenizer() : new LineTokenizer(json.lines);
}
