import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineJsonSchema, PIPELINE_SCHEMA_ID } from './index';

const FILE = join(__dirname, '..', 'pipeline-definition.schema.json');

describe('JSON Schema export', () => {
  const schema = pipelineJsonSchema();

  it('matches the checked-in pipeline-definition.schema.json (UPDATE_JSON_SCHEMA=1 rewrites it)', () => {
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (process.env['UPDATE_JSON_SCHEMA'] === '1') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8')).toBe(text);
  });

  it('describes every section, field, enum and default an editor needs', () => {
    expect(schema).toMatchObject({ $id: PIPELINE_SCHEMA_ID, type: 'object', additionalProperties: false, required: ['metadata', 'sources', 'sinks'] });
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(props)).toEqual(['metadata', 'sources', 'transformations', 'sinks', 'orchestration']);
    const source = (props['sources']?.['additionalProperties'] ?? {}) as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(Object.keys(source.properties)).toEqual([
      'type', 'connection', 'topic', 'consumer_group', 'format', 'schema_registry', 'start_offset', 'max_records', 'checkpoint_interval', 'event_time', 'dead_letter_topic',
    ]);
    expect(source.required).toEqual(['type', 'connection', 'topic', 'consumer_group', 'format']);
    expect(source.properties['format']).toMatchObject({ enum: ['json', 'avro', 'protobuf'] });
    const orchestration = props['orchestration'] as { properties: Record<string, Record<string, unknown>> };
    expect(orchestration.properties['engine']).toMatchObject({ enum: ['flink', 'airflow'], default: 'flink' });
    expect(orchestration.properties['delivery']).toMatchObject({ enum: ['exactly_once', 'at_least_once'], default: 'exactly_once' });
    expect(orchestration.properties['checkpoint_interval']).toMatchObject({ type: 'string', default: '60s' });
    expect(orchestration.properties['parallelism']).toMatchObject({ type: 'integer', default: 4 });
    expect(orchestration.properties['max_records']).toMatchObject({ type: 'integer', default: 10000 });
    expect(orchestration.properties['idle_timeout']).toMatchObject({ type: 'string', default: '300s' });
    const sink = (props['sinks']?.['additionalProperties'] ?? {}) as { properties: Record<string, Record<string, unknown>> };
    expect(sink.properties['mode']).toMatchObject({ enum: ['append'], default: 'append' });
  });
});
