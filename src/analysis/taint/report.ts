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
import { CLASS_BIT, EMBEDDED_BIT, HANDLE_BIT, type SinkModel, type SourceModel, type VulnClass } from "./models/index.js";
import type { Program } from "./program.js";
import { runsShellOnString, startsShellOnArgs } from "./shell-argv.js";

export class Reporter {
  readonly sources: TaintSource[] = [];
  readonly hits: TaintHit[] = [];
  private readonly hitKeys = new Set<string>();
  private readonly sourceBySite = new Map<string, TaintSource>();
  private readonly taskClasses: ReadonlySet<VulnClass>;

  constructor(
    private readonly p: Program,
    private readonly opts: TaintOptions,
  ) {
    this.taskClasses = new Set(opts.taskClasses ?? []);
  }

  source(
    label: string,
    node: SyntaxNode,
    trust: TaintSource["trust"],
    extra: { param?: { fn: string; index: number; marks?: number }; closure?: { fn: string; name: string }; entryParam?: boolean; callerFor?: readonly string[]; operatorFor?: readonly string[] } = {},
  ): TaintSource {
    const key = extra.param ? `p:${extra.param.fn}:${extra.param.index}:${extra.param.marks ?? 0}` : extra.closure ? `c:${extra.closure.fn}:${extra.closure.name}` : `${node.startIndex}:${label}`;
    let s = this.sourceBySite.get(key);
    if (!s) {
      s = { id: this.sources.length, label, line: node.startPosition.row + 1, col: node.startPosition.column, trust, ...extra };
      this.sources.push(s);
      this.sourceBySite.set(key, s);
    }
    return s;
  }

  /** A new fact for a modelled source at `node` (a file object is marked as a handle). */
  fresh(model: SourceModel, node: SyntaxNode): Taint {
    return [{ src: this.source(model.label, node, model.trust, { ...(model.callerFor ? { callerFor: model.callerFor } : {}), ...(model.operatorFor ? { operatorFor: model.operatorFor } : {}) }).id, cleared: model.handle ? HANDLE_BIT : 0, path: [] } satisfies Fact];
  }

  /** Source object lookup for a qualified name or any of its prefixes (`flask.request.args.get`). */
  sourceObject(q: string | null, dotted: string | null): SourceModel | null {
    if (q) {
      let p = q;
      for (;;) {
        const s = this.p.m.sourceObjects.get(p);
        if (s) return s;
        const dot = p.lastIndexOf(".");
        if (dot < 0) break;
        p = p.slice(0, dot);
      }
    }
    if (dotted) {
      for (const s of this.p.m.sources)
        for (const d of s.dotted ?? []) if (dotted.endsWith("." + d)) return s;
    }
    return null;
  }

  /** The model for the client-controlled parts of a request parameter recognised by behaviour. */
  requestPartsSource(): SourceModel | null {
    return this.p.m.sources.find((s) => s.requestParts) ?? null;
  }

  /** Whether the task's CWE names this class. */
  isTaskClass(cls: VulnClass): boolean {
    return this.taskClasses.has(cls);
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
    // Outside a task about the class, a task-only sink (an existence probe) still counts for a
    // remote client's value: a web request that learns which files exist has read the disk.
    const remoteOnly = !!s.taskOnly && !this.taskClasses.has(s.class);
    if (s.requiresTruthyKeyword) {
      const kw = args.keywords.get(s.requiresTruthyKeyword);
      const off = !kw || ["False", "None", "0", "''", '""'].includes(kw.text);
      // Without shell=True a list's items reach no shell, unless the list itself starts one.
      const shellArgv = s.class === "command-injection" && runsShellOnString(args.positional[0] ?? args.keywords.get("args"), run.fn, this.p);
      if (off && !shellArgv) return;
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
    else if (s.args === "all" || (s.argvShell && startsShellOnArgs(args.positional, run.fn, this.p))) t = unionAll([...args.positional.keys()].map((i) => argTaint(i, undefined) ?? CLEAN));
    else for (const a of s.args) t = union(t, argTaint(a.pos, a.kw) ?? CLEAN);
    if (remoteOnly) t = t.filter((f) => this.remoteFact(f, s.class));
    this.reportFacts(s.class, call, name, t, run, []);
  }

  /** A fact whose value a remote client chose (not a parameter, not the caller's configuration). */
  private remoteFact(f: Fact, cls: VulnClass): boolean {
    const src = this.sources[f.src]!;
    return !src.param && src.trust === "remote" && !src.callerFor?.includes(cls);
  }

  /** `container[key] = t`; for a trust-boundary store the key is data crossing it as well. */
  checkStoreSink(container: SyntaxNode, t: Taint, keyTaint: Taint, at: SyntaxNode, run: Run): void {
    if (!t.length && !keyTaint.length) return;
    const q = this.p.qname(container);
    const attr = container.type === "attribute" ? container.childForFieldName("attribute")!.text : container.type === "identifier" ? container.text : null;
    for (const s of this.p.m.storeSinks) {
      const byObject = q !== null && (s.objects ?? []).includes(q);
      const byAttr = container.type === "attribute" && attr !== null && (s.attributes ?? []).includes(attr);
      // An attacker-chosen session key picks which trusted entry is written (`session[name] = 1`
      // can set `is_admin`); a header name is not where CRLF injection happens.
      if (byObject || byAttr) this.reportFacts(s.class, at, `${container.text}[...] =`, s.class === "trust-boundary" ? union(t, keyTaint) : t, run, []);
    }
  }

  reportFacts(cls: VulnClass, sink: SyntaxNode, sinkName: string, facts: Taint, run: Run, inner: FlowStep[]): void {
    const bit = CLASS_BIT[cls];
    for (const f of facts) {
      if (f.cleared & bit) continue;
      // A file object is not a path (`os.stat(fd)`, `os.fstat`): only what is read from it is text.
      if (cls === "path-traversal" && f.cleared & HANDLE_BIT) continue;
      const src = this.sources[f.src]!;
      if (src.param) {
        if (run.mode === "summary" && run.summaryFn && src.param.fn === run.summaryFn.qualname)
          run.summarySinks.push({ param: src.param.index, marks: src.param.marks ?? 0, cleared: f.cleared, cls, sink, sinkName, path: [...f.path, ...inner] });
        continue;
      }
      // A closure's sinks are checked where it is defined, with the values it captures there.
      if (src.closure) continue;
      // The whole caller-chosen value at a sink the task does not name: the value the code exists
      // to use (a URL to fetch, a path to open, a command to run), not an injection into it.
      if (src.operatorFor?.includes(cls) && !this.taskClasses.has(cls)) continue;
      const trust = src.callerFor?.includes(cls) ? "caller" : src.trust;
      if (trust === "caller" && !(f.cleared & EMBEDDED_BIT) && !this.taskClasses.has(cls)) continue;
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

  /**
   * Whether `fn`'s parameters are untrusted: the task's entry function, and web route handlers
   * (their parameters are parts of the requested URL). Other functions of ordinary code get their
   * arguments' taint from their call sites, through summaries: a library function's parameter is
   * not attacker input by itself.
   */
  isEntry(fn: FunctionInfo): boolean {
    if (this.opts.entryFunction) return fn.name === this.opts.entryFunction || fn.qualname === this.opts.entryFunction;
    return fn.isRoute;
  }
}
