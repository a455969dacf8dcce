/**
 * The checker's output side: the table of taint sources, and the decision whether facts reaching
 * a sink are a finding, a summary effect (a parameter of the function being summarized reaches a
 * sink), or nothing (sanitized for the class, or a whole caller-chosen value at a sink the task
 * does not name).
 */
import type { FlowStep } from "../finding.js";
import type { SyntaxNode } from "../python/cfg.js";
import type { CallArgs } from "../python/index.js";
import { unparen, type FunctionInfo, type Run, type TaintHit, type TaintOptions } from "./context.js";
import { CLEAN, union, unionAll, type Fact, type Taint, type TaintSource } from "./facts.js";
import { CALLER_PATH_BIT, CLASS_BIT, type SinkModel, type VulnClass } from "./models/index.js";
import type { Program } from "./program.js";

export class Reporter {
  readonly sources: TaintSource[] = [];
  readonly hits: TaintHit[] = [];
  private readonly hitKeys = new Set<string>();
  private readonly sourceBySite = new Map<string, TaintSource>();

  constructor(
    private readonly p: Program,
    private readonly opts: TaintOptions,
  ) {}

  source(label: string, node: SyntaxNode, param?: { fn: string; index: number }): TaintSource {
    const key = param ? `p:${param.fn}:${param.index}` : `${node.startIndex}:${label}`;
    let s = this.sourceBySite.get(key);
    if (!s) {
      s = { id: this.sources.length, label, line: node.startPosition.row + 1, col: node.startPosition.column, ...(param ? { param } : {}) };
      this.sources.push(s);
      this.sourceBySite.set(key, s);
    }
    return s;
  }

  fresh(label: string, node: SyntaxNode, cleared = 0): Taint {
    return [{ src: this.source(label, node).id, cleared, path: [] } satisfies Fact];
  }

  /** Source object lookup for a qualified name or any of its prefixes (`flask.request.args.get`). */
  sourceObject(q: string | null, dotted: string | null): string | null {
    if (q) {
      let p = q;
      for (;;) {
        const s = this.p.m.sourceObjects.get(p);
        if (s) return s.label;
        const dot = p.lastIndexOf(".");
        if (dot < 0) break;
        p = p.slice(0, dot);
      }
    }
    if (dotted) {
      for (const s of this.p.m.sources)
        for (const d of s.dotted ?? []) if (dotted === d || dotted.startsWith(d + ".") || dotted.endsWith("." + d)) return s.label;
    }
    return null;
  }

  checkCallSink(
    s: SinkModel,
    call: SyntaxNode,
    args: CallArgs,
    argTaint: (pos: number | undefined, kw: string | undefined) => Taint | undefined,
    recvTaint: Taint,
    name: string,
    run: Run,
  ): void {
    if (s.requiresTruthyKeyword) {
      const kw = args.keywords.get(s.requiresTruthyKeyword);
      if (!kw || ["False", "None", "0", "''", '""'].includes(kw.text)) return;
    }
    if (s.safeWhenArg) {
      const a = args.keywords.get(s.safeWhenArg.kw) ?? (s.safeWhenArg.pos !== undefined ? args.positional[s.safeWhenArg.pos] : undefined);
      if (a) {
        const resolved = unparen(a).type === "identifier" ? (this.p.resolveAssigned(unparen(a), run.fn) ?? a) : a;
        const text = `${a.text} ${resolved.text}`.replace(/\s+/g, "");
        if (s.safeWhenArg.contains.some((w) => text.includes(w.replace(/\s+/g, "")))) return;
      }
    }
    let t: Taint = CLEAN;
    if (s.args === "receiver") t = recvTaint;
    else if (s.args === "all") t = unionAll([...args.positional.keys()].map((i) => argTaint(i, undefined) ?? CLEAN));
    else for (const a of s.args) t = union(t, argTaint(a.pos, a.kw) ?? CLEAN);
    this.reportFacts(s.class, call, name, t, run, []);
  }

  checkStoreSink(container: SyntaxNode, t: Taint, at: SyntaxNode, run: Run): void {
    if (!t.length) return;
    const q = this.p.qname(container);
    const attr = container.type === "attribute" ? container.childForFieldName("attribute")!.text : container.type === "identifier" ? container.text : null;
    for (const s of this.p.m.storeSinks) {
      const byObject = q !== null && (s.objects ?? []).includes(q);
      const byAttr = container.type === "attribute" && attr !== null && (s.attributes ?? []).includes(attr);
      if (byObject || byAttr) this.reportFacts(s.class, at, `${container.text}[...] =`, t, run, []);
    }
  }

  reportFacts(cls: VulnClass, sink: SyntaxNode, sinkName: string, facts: Taint, run: Run, inner: FlowStep[]): void {
    const bit = CLASS_BIT[cls];
    for (const f of facts) {
      if (f.cleared & bit) continue;
      if (cls === "path-traversal" && f.cleared & CALLER_PATH_BIT) continue;
      const src = this.sources[f.src]!;
      if (src.param) {
        if (run.mode === "summary" && run.summaryFn && src.param.fn === run.summaryFn.qualname)
          run.summarySinks.push({ param: src.param.index, cleared: f.cleared, cls, sink, sinkName, path: [...f.path, ...inner] });
        continue;
      }
      const key = `${cls}:${sink.startIndex}`;
      if (this.hitKeys.has(key)) continue;
      this.hitKeys.add(key);
      const flow: FlowStep[] = [
        { line: src.line, col: src.col, message: `source: ${src.label}` },
        ...f.path,
        ...inner,
        { line: sink.startPosition.row + 1, col: sink.startPosition.column, message: `sink: ${sinkName}` },
      ];
      this.hits.push({ cls, sink, sinkName, source: src, flow });
    }
  }

  /** Whether `fn` is one whose parameters are untrusted. */
  isEntry(fn: FunctionInfo): boolean {
    if (this.opts.entryFunction) return fn.name === this.opts.entryFunction || fn.qualname === this.opts.entryFunction;
    if (fn.isRoute) return true;
    const topLevel = fn.node.parent?.type === "module" || (fn.node.parent?.type === "decorated_definition" && fn.node.parent.parent?.type === "module");
    // A public function nobody in the file calls is an API entry point; one that is called gets
    // its arguments' taint from its call sites (through its summary) instead.
    return topLevel && !fn.name.startsWith("_") && fn.name !== "<lambda>" && !this.p.calledNames.has(fn.name);
  }
}
