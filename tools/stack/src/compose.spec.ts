import { existsSync } from 'node:fs';
import { appNodeOptions } from './apps';
import path from 'node:path';
import { repoRoot } from './layout';
import { readCompose } from './testing/compose';

/** docker/compose.yaml holds together: every dependency exists, every build names a Dockerfile that exists. */
describe('docker/compose.yaml', () => {
  const { services } = readCompose({ REGISTRY_ADMIN_TOKEN: 'x'.repeat(32) });

  it('runs the five services, Kafka, PostgreSQL, Flink with its SQL Gateway, object storage, a REST catalog and a schema registry', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['compiler', 'flink-submitter', 'iceberg-rest', 'jobmanager', 'kafka', 'microbatch', 'minio', 'monitor', 'postgres', 'registry', 'schema-registry', 'sql-gateway', 'taskmanager'].sort(),
    );
  });

  it.each(Object.entries(readCompose({ REGISTRY_ADMIN_TOKEN: 'x' }).services))('%s depends only on defined services and builds from existing files', (_name, service) => {
    const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
    for (const dep of deps) expect(Object.keys(services)).toContain(dep);
    if (service.build) expect(existsSync(path.join(repoRoot(), 'docker', service.build.context, service.build.dockerfile))).toBe(true);
    if (service.build?.args?.APP) expect(existsSync(path.join(repoRoot(), 'apps', service.build.args.APP, 'src', 'main.ts'))).toBe(true);
    expect(service.image ?? service.build).toBeDefined();
  });

  it('launches the micro-batch service with the Node options of its nx serve target (its heap)', () => {
    expect(appNodeOptions('microbatch')).toEqual([expect.stringMatching(/^--max-old-space-size=\d+$/), expect.stringMatching(/^--initial-old-space-size=\d+$/)]);
    expect(services['microbatch']?.command).toEqual(['node', ...appNodeOptions('microbatch'), '-r', '@swc-node/register', 'apps/microbatch/src/main.ts']);
    expect(appNodeOptions('registry')).toEqual([]);
  });
});
