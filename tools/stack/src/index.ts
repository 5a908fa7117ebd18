export { COMPONENTS, isComponentName, repoRoot, stackEndpoints, icebergCatalogDdl, restCatalogDdl, type ComponentName, type StackEndpoints } from './layout';
export { stackUp, stackDown, stackStatus, StackComponentError, type StackStatus, type ComponentStatus, type ComponentState, type StackUpOptions } from './stack';
export { registerSchema } from './schema-registry';
export { inspectIcebergTable, readIcebergTable, pyicebergS3Properties, type IcebergInspection, type IcebergReaderOptions, type IcebergRow } from './iceberg-reader';
export { APPS, startApp, waitFor, waitHealthy, type AppName, type RunningService, type StartAppOptions } from './apps';
export { restartTaskManager, type TaskManagerRestart } from './taskmanager';
export { readCompose, composeEnvironment } from './testing/compose';
export { clickEvent, produceClicks } from './clickstream';
export { createTestDatabase, type TestDatabase } from './testing/database';
