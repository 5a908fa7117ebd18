import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadDefinition, type PipelineDefinition } from '@matih/pipeline-spec';
import type { SourceSchemas } from '../avro-columns';
import { localStackCatalogs } from '../catalogs';

export const GOLDEN_DIR = path.join(__dirname, '..', '__golden__');
/** the deployment id golden plans carry */
export const GOLDEN_DEPLOYMENT_ID = '7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';
/** what the golden definitions' variables resolve to */
export const GOLDEN_ENV = { KAFKA_CONNECTION: '127.0.0.1:19092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085', KAFKA_PASSWORD: 'set-at-run-time', SCHEMA_REGISTRY_PASSWORD: 'set-at-run-time' };
/** golden plans use a fixed stack folder, so they do not depend on the checkout's path */
export const goldenCatalogs = (stackDir = '/var/lib/matih/stack') => localStackCatalogs(stackDir);

/**
 * A golden definition, with the value schemas its avro sources' registry answers
 * (`<name>.schemas.json`, what `resolveSourceSchemas` would give; empty without such a file).
 */
export function goldenDefinitions(): { name: string; definition: PipelineDefinition; sourceSchemas: SourceSchemas }[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const loaded = loadDefinition(readFileSync(path.join(GOLDEN_DIR, file), 'utf8'), { file, env: GOLDEN_ENV });
      if (!loaded.ok) throw new Error(`${file}: ${JSON.stringify(loaded.diagnostics)}`);
      const name = file.replace(/\.yaml$/, '');
      const schemas = path.join(GOLDEN_DIR, `${name}.schemas.json`);
      const sourceSchemas = existsSync(schemas) ? (JSON.parse(readFileSync(schemas, 'utf8')) as SourceSchemas) : {};
      return { name, definition: loaded.definition, sourceSchemas };
    });
}
