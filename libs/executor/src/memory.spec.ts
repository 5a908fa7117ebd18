import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderAirflowDag } from './airflow';
import { executorHeapMb, executorNodeOptions, heapWarning } from './memory';

describe('executor heap sizing', () => {
  it('gives the default max_records 256 MB and grows with larger batches', () => {
    expect(executorHeapMb(10_000)).toBe(256);
    expect(executorHeapMb(100)).toBe(256);
    expect(executorHeapMb(100_000)).toBe(96 + Math.ceil((3 * 100_000 * 4) / 1024));
    expect(executorNodeOptions(10_000)).toEqual(['--max-old-space-size=256', '--initial-old-space-size=160']);
    expect(executorNodeOptions(100_000)).toEqual([`--max-old-space-size=${executorHeapMb(100_000)}`, `--initial-old-space-size=${Math.floor((executorHeapMb(100_000) * 5) / 8)}`]);
  });

  it('warns only when the running heap limit is below what the batches need', () => {
    // jest runs with Node's default limit (a quarter of this machine's memory, gigabytes)
    expect(heapWarning(10_000)).toBeNull();
    const warning = heapWarning(50_000_000);
    expect(warning).toMatch(/batches of 50000000 records need about \d+ MB: start the process with node --max-old-space-size=\d+ --initial-old-space-size=\d+ or lower max_records/);
  });

  it('launches Airflow tasks with the heap their max_records needs', () => {
    const dag = renderAirflowDag({ pipeline: 'clicks', definitionPath: 'pipelines/clicks.yaml', maxRecords: 100_000 });
    expect(dag).toContain(`bash_command="node ${executorNodeOptions(100_000).join(' ')} node_modules/.bin/matih run pipelines/clicks.yaml --until-idle"`);
  });

  it('is what the micro-batch service is launched with (its nx serve target; compose and the local stack follow it)', () => {
    const project = JSON.parse(readFileSync(path.join(__dirname, '../../../apps/microbatch/project.json'), 'utf8')) as { targets: { serve: { options: { command: string } } } };
    expect(project.targets.serve.options.command).toBe(`node ${executorNodeOptions().join(' ')} -r @swc-node/register apps/microbatch/src/main.ts`);
  });
});
