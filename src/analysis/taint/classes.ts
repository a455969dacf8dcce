/**
 * The file's classes, for the taint analysis's method calls: which method of the file a call
 * `receiver.name(...)` reaches when the receiver's class is known. Asked by `Program`.
 */
import type { SyntaxNode } from "../python/cfg.js";
import { unparen, type FunctionInfo } from "./context.js";

/** What the class table asks of the program (program.ts). */
export interface ClassQueries {
  readonly functions: readonly FunctionInfo[];
  readonly moduleAssigns: ReadonlyMap<string, SyntaxNode>;
  isImported(id: SyntaxNode): boolean;
  resolveAssigned(n: SyntaxNode, fn: FunctionInfo | null): SyntaxNode | null;
  enclosingFunction(n: SyntaxNode): FunctionInfo | null;
}

export class FileClasses {
  private classNodes: Map<string, SyntaxNode> | null = null;
  private readonly methodCache = new Map<string, { fn: FunctionInfo; offset: number } | null>();

  constructor(
    private readonly root: SyntaxNode,
    private readonly p: ClassQueries,
  ) {}

  /**
   * The file's method that `receiver.name(...)` calls, where the receiver's class is known: an
   * instance made here (`Job().run(x)`, `j = Job()` then `j.run(x)`), `super()` (the enclosing
   * class's bases) or `self`/`cls` (the enclosing class); inherited methods are found through the
   * bases the file defines. Null when the class or the method is not the file's.
   */
  methodCalled(receiver: SyntaxNode, name: string): { fn: FunctionInfo; offset: number } | null {
    // Asked on every evaluation of every method call: the answer depends on the syntax only.
    if (this.classes().size === 0) return null;
    const key = `${receiver.id}.${name}`;
    let known = this.methodCache.get(key);
    if (known === undefined) this.methodCache.set(key, (known = this.resolveMethod(receiver, name)));
    return known;
  }

  /**
   * `X(...)` for a class `X` of the file runs `X.__init__` (its own or a base's of the file); a
   * dataclass without one stores the arguments in its fields and runs `__post_init__`, whose
   * `self` then holds the arguments (`argsToSelf`).
   */
  constructorOf(callee: SyntaxNode): { fn: FunctionInfo; argsToSelf: boolean } | null {
    const c = unparen(callee);
    if (c.type !== "identifier" || !this.classes().has(c.text) || this.p.isImported(c)) return null;
    const init = this.methodIn(c.text, "__init__", 0);
    if (init) return { fn: init, argsToSelf: false };
    const node = this.classes().get(c.text)!;
    const decorators = node.parent?.type === "decorated_definition" ? node.parent.namedChildren.filter((d) => d.type === "decorator") : [];
    const post = decorators.some((d) => /\bdataclass\b/.test(d.text)) ? this.methodIn(c.text, "__post_init__", 0) : null;
    return post ? { fn: post, argsToSelf: true } : null;
  }

  /** `obj(...)` for an instance of a class of the file runs its `__call__`. */
  callMethodOf(callee: SyntaxNode): { fn: FunctionInfo; offset: number } | null {
    const c = unparen(callee);
    if (this.classes().size === 0 || (c.type === "identifier" && this.classes().has(c.text))) return null;
    const m = this.methodCalled(c, "__call__");
    return m ? { fn: m.fn, offset: 1 } : null;
  }

  private resolveMethod(receiver: SyntaxNode, name: string): { fn: FunctionInfo; offset: number } | null {
    const r = unparen(receiver);
    let classes: string[] = [];
    // `Tools.run(x)`: through the class, a plain method takes `self` as its first argument.
    let viaClass = false;
    if (r.type === "identifier" && (r.text === "self" || r.text === "cls")) classes = [this.enclosingClass(r)].filter((c): c is string => c !== null);
    else if (r.type === "identifier" && this.classes().has(r.text) && !this.p.isImported(r)) {
      classes = [r.text];
      viaClass = true;
    } else {
      // `job.command = x` stores into the object: the SSA form counts it as a definition of
      // `job`, so the name's single plain assignment answers too.
      const fn = r.type === "identifier" ? this.p.enclosingFunction(r) : null;
      const made = r.type === "call" ? r : r.type === "identifier" ? (this.p.resolveAssigned(r, fn) ?? (fn ? fn.assigns : this.p.moduleAssigns).get(r.text) ?? null) : null;
      const callee = made?.type === "call" ? made.childForFieldName("function") : null;
      if (callee?.type === "identifier" && callee.text === "super") classes = this.basesOf(this.enclosingClass(callee) ?? "");
      else if (callee?.type === "identifier" && this.classes().has(callee.text) && !this.p.isImported(callee)) classes = [callee.text];
    }
    for (const c of classes) {
      const m = this.methodIn(c, name, 0);
      if (!m) continue;
      const decorators = m.node.parent?.type === "decorated_definition" ? m.node.parent.namedChildren.filter((d) => d.type === "decorator").map((d) => d.text) : [];
      const isStatic = decorators.some((d) => /\bstaticmethod\b/.test(d));
      const isClassMethod = decorators.some((d) => /\bclassmethod\b/.test(d));
      return { fn: m, offset: isStatic ? 0 : isClassMethod || !viaClass ? 1 : 0 };
    }
    return null;
  }

  /** Whether `n` is inside a class definition this file's top-level class table knows. */
  inKnownClass(n: SyntaxNode): boolean {
    const node = this.enclosingClassNode(n);
    const name = node?.childForFieldName("name")?.text;
    return name !== undefined && this.classes().get(name)?.id === node!.id;
  }

  private enclosingClassNode(n: SyntaxNode): SyntaxNode | null {
    for (let x = n.parent; x; x = x.parent) if (x.type === "class_definition") return x;
    return null;
  }

  private methodIn(cls: string, name: string, depth: number): FunctionInfo | null {
    if (depth > 8) return null;
    // By the class's node, not a dotted name: a class defined inside a function has the
    // function's name in its methods' qualnames.
    const classNode = this.classes().get(cls);
    const own = classNode ? this.p.functions.find((f) => f.isMethod && f.name === name && this.enclosingClassNode(f.node)?.id === classNode.id) : undefined;
    if (own) return own;
    for (const base of this.basesOf(cls)) {
      const m = this.methodIn(base, name, depth + 1);
      if (m) return m;
    }
    return null;
  }

  private basesOf(cls: string): string[] {
    const node = this.classes().get(cls);
    return (node?.childForFieldName("superclasses")?.namedChildren ?? []).filter((b) => b.type === "identifier").map((b) => b.text);
  }

  private enclosingClass(n: SyntaxNode): string | null {
    return this.enclosingClassNode(n)?.childForFieldName("name")?.text ?? null;
  }

  /** Top-level classes of the file by name (the first definition of each). */
  private classes(): Map<string, SyntaxNode> {
    if (this.classNodes) return this.classNodes;
    this.classNodes = new Map();
    for (const c of this.root.descendantsOfType("class_definition")) {
      const name = c.childForFieldName("name")?.text;
      if (name && !this.classNodes.has(name)) this.classNodes.set(name, c);
    }
    return this.classNodes;
  }
}
