import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReference } from './reference';

const file = path.resolve(__dirname, '../../../docs/definition-reference.md');

describe('docs/definition-reference.md', () => {
  it('is the reference generated from the JSON Schema, so docs and validation cannot drift', () => {
    const generated = renderReference();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });

  it('documents every field of the seed example with its default', () => {
    const reference = renderReference();
    for (const field of ['consumer_group', 'start_offset', 'schema_registry', 'max_records', 'partition_by', 'checkpoint_interval', 'parallelism', 'idle_timeout']) {
      expect(reference).toContain(`\`${field}\``);
    }
    expect(reference).toMatch(/\| `parallelism` \| integer 1…1024 \| {2}\| `4` \|/);
  });
});
