/**
 * Python front end: one tree-sitter parse per module, plus the name, import, literal and call views
 * that rules, CFG/SSA and taint analysis share. Positions follow Bandit (1-based lines, UTF-8 byte
 * columns).
 */
export { analysisClock, parsePython } from "./parser.js";
export { parameterKind } from "./py3-syntax.js";
export type { ParameterKind } from "./py3-syntax.js";
export type { ParsedModule, SyntaxErrorRange } from "./parser.js";
export { SourceText, nodeText, lineNumber, endLineNumber, lineRange, colOffset, endColOffset } from "./source.js";
export type { SyntaxNode } from "./source.js";
export { ImportTable, readImportStatement } from "./imports.js";
export type { ImportBinding, ImportStatement } from "./imports.js";
export { qualifiedName, callQualName, callShortName, callee, dottedText } from "./names.js";
export type { NameScope } from "./names.js";
export { literalValue, stringValue, intValue, isTruthy, readStringToken, banditValue, SIMPLE_ESCAPES } from "./literals.js";
export type { PyValue, StringToken, BanditValue } from "./literals.js";
export { callArgs, argument } from "./calls.js";
export { ALIASABLE_BUILTINS, calleeAliasValues, LOOKUP_TYPES, lookupHead, lookupName, mayLookUpByString, throughLookup } from "./callee-aliases.js";
export type { CallArgs } from "./calls.js";
export { walkPreorder, walkTypes, walkStatements, STATEMENT_CONTAINERS, ancestors, enclosingScope, isWithin, unparenthesize } from "./walk.js";
export type { Visitor } from "./walk.js";
