export { parseTransform, parseExpression, substituteInput, INPUT_PLACEHOLDER, type TransformParseResult, type ExpressionParseResult } from './transform';
export type { OutputColumn, SelectStatement, TableReference } from './parser';
export type { SqlDiagnostic, SqlPosition } from './diagnostics';
