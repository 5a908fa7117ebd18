import { z } from 'zod';
import { PipelineInputSchema } from './schema';

/** The `$id` of the exported schema. */
export const PIPELINE_SCHEMA_ID = 'https://matih.dev/schemas/pipeline-definition.schema.json';

/**
 * JSON Schema (draft 2020-12) of the definition format as written, for editors (YAML language
 * servers: `# yaml-language-server: $schema=…`). Generated from the same zod schema that validates.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineInputSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: PIPELINE_SCHEMA_ID, title: 'MATIH pipeline definition' };
}
