export {
  parseTransform,
  parseExpression,
  substituteInput,
  transformToFlink,
  expressionToFlink,
  inferTransformTypes,
  inferExpressionType,
  transformToDuckDb,
  scalarToDuckDb,
  INPUT_PLACEHOLDER,
  type TransformParseResult,
  type ExpressionParseResult,
} from './transform';
export type { OutputColumn, SelectStatement, TableReference, ParsedExpression } from './parser';
export type { SqlDiagnostic, SqlPosition } from './diagnostics';
export { TYPES, formatFlinkType, type SqlType, type TypedColumn, type InferredColumn } from './types';
export { quoteFlinkIdentifier, flinkString } from './flink';
export { quoteDuckDbIdentifier, duckDbType, type DuckDbTranslation } from './duckdb';
