export { compilePlan, targetOf, flinkJobName, eventTimeStageName, type CompileOptions, type CompileResult, type CompileTarget } from './compile';
export { compileRequest, type CompileRequest } from './request';
export { localStackCatalogs, LOCAL_CATALOG_PASSWORD_ENV, type CatalogMap, type IcebergCatalogConfig } from './catalogs';
export { formatPlanDiagnostic, type PlanDiagnostic } from './diagnostics';
export { icebergTableSpec, icebergTypeOf } from './iceberg-types';
export { ensureSinkTable, sinkTableMismatches } from './sink-table';
export { resolveSecretPlaceholders, resolvePlanSecrets, maskSecrets, secretNames, type ResolvedStatements } from './secrets';
export { KAFKA_SOURCE_COLUMNS } from './relations';
export { renderFlinkScript } from './render';
