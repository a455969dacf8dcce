/**
 * Control-flow graphs over tree-sitter-python syntax trees: one graph per function body, lambda
 * and module. Blocks hold "elements" (a simple statement, a branch condition, a loop or `with`
 * binding, an `except ... as` binding, a nested `def`/`class` binding); edges carry their kind and,
 * for branches, the condition node, so analyses can refine facts per edge (guards).
 *
 * Approximations (documented in docs/vuln/README.md):
 * - `and`/`or` conditions stay one element; consumers split them (short-circuit is not expanded).
 * - Every block built inside a `try` body gets an exception edge to the handler dispatch, carrying
 *   that block's state at its end (an exception in mid-block is approximated by the block's end).
 * - A `finally` body is built once: normal and abrupt completions (return, raise) enter it, and its
 *   end flows both to the statement after the `try` and, where an abrupt completion entered it, to
 *   the function exit.
 * - Nested functions, lambdas and classes get their own graphs; in the enclosing graph they are a
 *   `def` element that binds their name.
 * The builder is iterative over statements within a block list and recursive only over compound
 * statement nesting, guarded by MAX_NESTING so hostile input cannot overflow the stack.
 */
import { calleeAliasValues } from "./callee-aliases.js";
import type { PyNode } from "./tree.js";

export type SyntaxNode = PyNode;

export type ElementKind =
  | "stmt" // a simple statement (assignment, expression, return, raise, import, ...)
  | "cond" // a branch condition (if/elif/while test, match-case guard); ends its block
  | "for-iter" // evaluates a for loop's iterable; ends the loop header block
  | "for-bind" // binds a for loop's target from its iterable (first element of the body)
  | "with-bind" // evaluates a with_item and binds its `as` target
  | "except-bind" // enters an except clause, binding its `as` name
  | "match-subject" // evaluates a match statement's subject
  | "case" // a case pattern (binds capture names from the subject)
  | "def" // a nested function or class definition: binds its name
  | "lambda-body"; // the expression body of a lambda (its implicit return)

export interface CfgElement {
  kind: ElementKind;
  node: SyntaxNode;
  /** For-bind / case: the loop or match statement this binding belongs to. */
  owner?: SyntaxNode;
}

export type EdgeKind = "normal" | "true" | "false" | "exception" | "back" | "loop-exit";

export interface CfgEdge {
  from: number;
  to: number;
  kind: EdgeKind;
  /** For true/false edges: the condition that was evaluated. */
  cond?: SyntaxNode;
}

export interface BasicBlock {
  id: number;
  elements: CfgElement[];
  succs: CfgEdge[];
  preds: CfgEdge[];
}

export interface Cfg {
  /** function_definition, lambda or module node. */
  owner: SyntaxNode;
  /** Function name, "<lambda>" or "<module>". */
  name: string;
  /** Parameter names in order (empty for a module). */
  params: string[];
  entry: number;
  exit: number;
  blocks: BasicBlock[];
}

/** Compound statements nested deeper than this are not expanded (their body is skipped). */
export const MAX_NESTING = 200;

interface LoopTargets {
  continueTo: number;
  breakTo: number;
}

class Builder {
  readonly blocks: BasicBlock[] = [];
  readonly exit: number;
  private current: number;
  private readonly loops: LoopTargets[] = [];
  /** Innermost first-class exception target: a handler dispatch, a finally entry, or exit. */
  private readonly excTargets: number[] = [];
  /** Finally entries that an abrupt completion (return/raise) has entered. */
  private readonly finallyStack: { entry: number; abrupt: boolean }[] = [];
  /** Blocks created while building each enclosing try body (for exception edges). */
  private readonly tryBlockSets: Set<number>[] = [];
  truncated = false;

  constructor() {
    const entry = this.newBlock();
    this.exit = this.newBlock();
    this.current = entry;
  }

  newBlock(): number {
    const id = this.blocks.length;
    this.blocks.push({ id, elements: [], succs: [], preds: [] });
    for (const set of this.tryBlockSets) set.add(id);
    return id;
  }

  edge(from: number, to: number, kind: EdgeKind = "normal", cond?: SyntaxNode): void {
    const e: CfgEdge = cond ? { from, to, kind, cond } : { from, to, kind };
    this.blocks[from]!.succs.push(e);
    this.blocks[to]!.preds.push(e);
  }

  add(kind: ElementKind, node: SyntaxNode, owner?: SyntaxNode): void {
    this.blocks[this.current]!.elements.push(owner ? { kind, node, owner } : { kind, node });
  }

  /** Ends the current block with an abrupt jump; following code lands in an unreachable block. */
  private jump(to: number, kind: EdgeKind = "normal"): void {
    this.edge(this.current, to, kind);
    this.current = this.newBlock();
  }

  private returnTarget(): number {
    const fin = this.finallyStack[this.finallyStack.length - 1];
    if (fin) {
      fin.abrupt = true;
      return fin.entry;
    }
    return this.exit;
  }

  private raiseTarget(): number {
    const t = this.excTargets[this.excTargets.length - 1];
    if (t !== undefined) return t;
    return this.returnTarget();
  }

  statements(nodes: readonly SyntaxNode[], depth: number): void {
    for (const n of nodes) this.statement(n, depth);
  }

  block(node: SyntaxNode | null, depth: number): void {
    if (!node) return;
    if (node.type === "block" || node.type === "module") this.statements(node.namedChildren, depth);
    else this.statement(node, depth);
  }

  statement(node: SyntaxNode, depth: number): void {
    if (depth > MAX_NESTING) {
      this.truncated = true;
      this.add("stmt", node);
      return;
    }
    switch (node.type) {
      case "comment":
        return;
      case "if_statement":
        return this.ifStatement(node, depth);
      case "while_statement":
        return this.whileStatement(node, depth);
      case "for_statement":
        return this.forStatement(node, depth);
      case "try_statement":
        return this.tryStatement(node, depth);
      case "with_statement":
        return this.withStatement(node, depth);
      case "match_statement":
        return this.matchStatement(node, depth);
      case "function_definition":
      case "class_definition":
        this.add("def", node);
        if (node.type === "class_definition") this.classBody(node, depth);
        return;
      case "decorated_definition": {
        const def = node.childForFieldName("definition");
        if (def) this.statement(def, depth);
        return;
      }
      case "return_statement":
        this.add("stmt", node);
        this.jump(this.returnTarget());
        return;
      case "raise_statement":
        this.add("stmt", node);
        this.jump(this.raiseTarget(), "exception");
        return;
      case "break_statement": {
        const loop = this.loops[this.loops.length - 1];
        this.add("stmt", node);
        if (loop) this.jump(loop.breakTo, "loop-exit");
        return;
      }
      case "continue_statement": {
        const loop = this.loops[this.loops.length - 1];
        this.add("stmt", node);
        if (loop) this.jump(loop.continueTo, "back");
        return;
      }
      default:
        this.add("stmt", node);
        // A call that can never return normally ends the path (sys.exit, os._exit, abort).
        if (isNoReturnStatement(node)) this.jump(this.returnTarget());
    }
  }

  /** Class bodies run once at definition time; their statements are part of the enclosing flow. */
  private classBody(node: SyntaxNode, depth: number): void {
    const body = node.childForFieldName("body");
    if (!body) return;
    for (const s of body.namedChildren) {
      if (s.type === "function_definition" || s.type === "decorated_definition") continue;
      this.statement(s, depth + 1);
    }
  }

  private ifStatement(node: SyntaxNode, depth: number): void {
    const after = this.newBlock();
    let cond = node.childForFieldName("condition");
    let consequence = node.childForFieldName("consequence");
    const alternatives = node.childrenForFieldName("alternative");
    let i = 0;
    for (;;) {
      const condBlock = this.current;
      if (cond) this.add("cond", cond);
      const thenBlock = this.newBlock();
      const elseBlock = this.newBlock();
      this.edge(condBlock, thenBlock, "true", cond ?? undefined);
      this.edge(condBlock, elseBlock, "false", cond ?? undefined);
      this.current = thenBlock;
      this.block(consequence, depth + 1);
      this.edge(this.current, after);
      this.current = elseBlock;
      const alt = alternatives[i++];
      if (!alt) {
        this.edge(this.current, after);
        break;
      }
      if (alt.type === "elif_clause") {
        cond = alt.childForFieldName("condition");
        consequence = alt.childForFieldName("consequence");
        continue;
      }
      this.block(alt.childForFieldName("body"), depth + 1);
      this.edge(this.current, after);
      break;
    }
    this.current = after;
  }

  private whileStatement(node: SyntaxNode, depth: number): void {
    const header = this.newBlock();
    this.edge(this.current, header);
    const cond = node.childForFieldName("condition");
    this.current = header;
    if (cond) this.add("cond", cond);
    const body = this.newBlock();
    const orelse = this.newBlock();
    const after = this.newBlock();
    this.edge(header, body, "true", cond ?? undefined);
    this.edge(header, orelse, "false", cond ?? undefined);
    this.loopBody(node, depth, header, body, orelse, after);
  }

  private forStatement(node: SyntaxNode, depth: number): void {
    const header = this.newBlock();
    this.edge(this.current, header);
    this.current = header;
    this.add("for-iter", node);
    const body = this.newBlock();
    const orelse = this.newBlock();
    const after = this.newBlock();
    this.edge(header, body);
    this.edge(header, orelse, "loop-exit");
    this.current = body;
    this.add("for-bind", node, node);
    this.loopBody(node, depth, header, this.current, orelse, after);
  }

  /** The body (with break/continue targets), its back edge, then the `else` clause run on normal exit. */
  private loopBody(node: SyntaxNode, depth: number, header: number, body: number, orelse: number, after: number): void {
    this.loops.push({ continueTo: header, breakTo: after });
    this.current = body;
    this.block(node.childForFieldName("body"), depth + 1);
    this.edge(this.current, header, "back");
    this.loops.pop();
    this.current = orelse;
    const alt = node.childForFieldName("alternative");
    if (alt) this.block(alt.childForFieldName("body"), depth + 1);
    this.edge(this.current, after);
    this.current = after;
  }

  private withStatement(node: SyntaxNode, depth: number): void {
    const clause = node.namedChildren.find((c) => c.type === "with_clause");
    for (const item of clause?.namedChildren ?? []) if (item.type === "with_item") this.add("with-bind", item);
    this.block(node.childForFieldName("body"), depth + 1);
  }

  private matchStatement(node: SyntaxNode, depth: number): void {
    const subject = node.childForFieldName("subject");
    if (subject) this.add("match-subject", subject, node);
    const after = this.newBlock();
    const body = node.childForFieldName("body");
    const cases = body?.namedChildren.filter((c) => c.type === "case_clause") ?? [];
    for (const c of cases) {
      const test = this.current;
      this.add("case", c, node);
      const guard = c.childForFieldName("guard");
      const guardExpr = guard?.namedChildren[0] ?? undefined;
      if (guardExpr) this.add("cond", guardExpr);
      const then = this.newBlock();
      const next = this.newBlock();
      this.edge(test, then, "true", guardExpr);
      this.edge(test, next, "false", guardExpr);
      this.current = then;
      this.block(c.childForFieldName("consequence"), depth + 1);
      this.edge(this.current, after);
      this.current = next;
    }
    this.edge(this.current, after);
    this.current = after;
  }

  private tryStatement(node: SyntaxNode, depth: number): void {
    const handlers = node.namedChildren.filter((c) => c.type === "except_clause" || c.type === "except_group_clause");
    const elseClause = node.namedChildren.find((c) => c.type === "else_clause");
    const finallyClause = node.namedChildren.find((c) => c.type === "finally_clause");
    const after = this.newBlock();
    const finallyEntry = finallyClause ? this.newBlock() : undefined;
    const dispatch = handlers.length ? this.newBlock() : undefined;
    const normalExit = finallyEntry ?? after;

    if (finallyEntry !== undefined) {
      this.finallyStack.push({ entry: finallyEntry, abrupt: false });
      this.excTargets.push(finallyEntry);
    }
    // Try body: every block created in it may raise into the dispatch.
    const tryBlocks = new Set<number>([this.current]);
    if (dispatch !== undefined) {
      this.excTargets.push(dispatch);
      this.tryBlockSets.push(tryBlocks);
    }
    this.block(node.childForFieldName("body"), depth + 1);
    if (dispatch !== undefined) {
      this.tryBlockSets.pop();
      this.excTargets.pop();
      for (const b of tryBlocks) if (b !== dispatch) this.edge(b, dispatch, "exception");
    }
    if (elseClause) this.block(elseClause.childForFieldName("body"), depth + 1);
    this.edge(this.current, normalExit);

    if (dispatch !== undefined) {
      let catchesAll = false;
      for (const h of handlers) {
        const hb = this.newBlock();
        this.edge(dispatch, hb, "exception");
        this.current = hb;
        this.add("except-bind", h);
        if (catchesAllExceptions(h)) catchesAll = true;
        const body = h.namedChildren.find((c) => c.type === "block");
        this.block(body ?? null, depth + 1);
        this.edge(this.current, normalExit);
      }
      if (!catchesAll) this.edge(dispatch, this.raiseTarget(), "exception");
    }

    if (finallyEntry !== undefined) {
      const fin = this.finallyStack.pop()!;
      this.excTargets.pop();
      this.current = finallyEntry;
      const body = finallyClause!.namedChildren.find((c) => c.type === "block");
      this.block(body ?? null, depth + 1);
      this.edge(this.current, after);
      // Exceptions escaping handlers and returns inside the try go on after the finally body.
      // (approximated for every finally: an exception may always pass through it).
      void fin;
      this.edge(this.current, this.returnTarget(), "exception");
    }
    this.current = after;
  }

  finish(): void {
    this.edge(this.current, this.exit);
  }
}

function catchesAllExceptions(handler: SyntaxNode): boolean {
  const value = handler.childForFieldName("value");
  if (!value) return true;
  const typeNode = value.type === "as_pattern" ? value.namedChildren[0] : value;
  const text = typeNode?.text ?? "";
  return text === "Exception" || text === "BaseException";
}

// `abort` is Flask/werkzeug's, which raises an HTTPException.
const NO_RETURN_CALLS = new Set(["sys.exit", "exit", "quit", "os._exit", "os.abort", "abort", "flask.abort"]);

/** A statement that is a call which never returns normally (sys.exit, abort, ...). */
export function isNoReturnStatement(node: SyntaxNode): boolean {
  if (node.type !== "expression_statement") return false;
  const call = node.namedChildren[0];
  if (call?.type !== "call") return false;
  const fn = call.childForFieldName("function");
  if (!fn) return false;
  // `stop = abort` then `stop(403)` ends the path as `abort(403)` does (callee-aliases.ts).
  const aliased = fn.type === "identifier" ? calleeAliasValues(fn.tree.rootNode).get(fn.text) : undefined;
  return NO_RETURN_CALLS.has(fn.text) || (aliased !== undefined && NO_RETURN_CALLS.has(aliased.text));
}

/** Parameter names of a function_definition or lambda, in order (`*args`, `**kw` by their name). */
export function parameterNames(fn: SyntaxNode): string[] {
  const params = fn.childForFieldName("parameters");
  if (!params) return [];
  const names: string[] = [];
  for (const p of params.namedChildren) {
    if (p.type === "identifier") names.push(p.text);
    else if (p.type === "typed_parameter") {
      const id = p.namedChildren.find((c) => c.type === "identifier" || c.type.endsWith("splat_pattern"));
      if (id) names.push(id.type === "identifier" ? id.text : (id.namedChildren[0]?.text ?? ""));
    } else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
      const n = p.childForFieldName("name");
      if (n) names.push(n.text);
    } else if (p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern") {
      const id = p.namedChildren[0];
      if (id) names.push(id.text);
    }
  }
  return names.filter((n) => n.length > 0);
}

/** Builds the CFG of one function_definition, lambda, or module node. */
export function buildCfg(owner: SyntaxNode): Cfg & { truncated: boolean } {
  const b = new Builder();
  let name = "<module>";
  let params: string[] = [];
  if (owner.type === "function_definition") {
    name = owner.childForFieldName("name")?.text ?? "<anonymous>";
    params = parameterNames(owner);
    b.block(owner.childForFieldName("body"), 0);
  } else if (owner.type === "lambda") {
    name = "<lambda>";
    params = parameterNames(owner);
    const body = owner.childForFieldName("body");
    if (body) b.add("lambda-body", body);
  } else {
    b.block(owner, 0);
  }
  b.finish();
  return { owner, name, params, entry: 0, exit: b.exit, blocks: b.blocks, truncated: b.truncated };
}

export interface ModuleCfgs {
  module: Cfg;
  /** Every function and lambda in the file, outermost first, each with its enclosing function. */
  functions: { cfg: Cfg; node: SyntaxNode; parent: SyntaxNode | null; qualname: string; decorators: SyntaxNode[] }[];
  truncated: boolean;
}

/** Builds the module graph and one graph per function/lambda found anywhere. */
const FUNCTION_SCOPES = ["function_definition", "lambda"];

export function buildModuleCfgs(root: SyntaxNode): ModuleCfgs {
  const module = buildCfg(root);
  let truncated = module.truncated;
  const functions: ModuleCfgs["functions"] = [];
  // One scan of the tree's type column finds every function scope.
  for (const node of root.descendantsOfType(FUNCTION_SCOPES)) {
    // The `lambda` keyword token has the same type name as the expression.
    if (!node.isNamed) continue;
    const cfg = buildCfg(node);
    truncated ||= cfg.truncated;
    let parent: SyntaxNode | null = null;
    const names: string[] = [];
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === "function_definition" || p.type === "lambda") {
        parent ??= p;
        names.push(p.type === "lambda" ? "<lambda>" : (p.childForFieldName("name")?.text ?? "<anonymous>"));
      } else if (p.type === "class_definition") names.push(p.childForFieldName("name")?.text ?? "<class>");
    }
    const qualname = [...names.reverse(), cfg.name].join(".");
    const decorators = node.parent?.type === "decorated_definition" ? node.parent.namedChildren.filter((c) => c.type === "decorator") : [];
    functions.push({ cfg, node, parent, qualname, decorators });
  }
  functions.sort((a, b) => a.node.startIndex - b.node.startIndex);
  return { module, functions, truncated };
}

/** Blocks in reverse postorder from the entry (unreachable blocks omitted); iterative DFS. */
export function reversePostorder(cfg: Cfg): number[] {
  return reversePostorderFrom(cfg.blocks.length, cfg.entry, (b) => cfg.blocks[b]!.succs.map((e) => e.to));
}

/**
 * Reverse postorder of the nodes reachable from `start` along `next` (the successors, or the
 * predecessors for the reversed graph), by an iterative DFS so deep graphs cannot overflow.
 */
export function reversePostorderFrom(size: number, start: number, next: (node: number) => readonly number[]): number[] {
  const visited = new Uint8Array(size);
  const order: number[] = [];
  const stack: [number, readonly number[], number][] = [[start, next(start), 0]];
  visited[start] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top[2] < top[1].length) {
      const n = top[1][top[2]++]!;
      if (!visited[n]) {
        visited[n] = 1;
        stack.push([n, next(n), 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order.reverse();
}
