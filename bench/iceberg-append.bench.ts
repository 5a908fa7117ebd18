/*
 * Benchmark of @matih/iceberg appends: DuckDB writes the Parquet files, then manifest, manifest list,
 * metadata file and the JDBC catalog's compare-and-swap commit. Prints rows/s and MB/s (Parquet bytes)
 * for batches of 10k and 100k rows, unpartitioned and partitioned by day(ts) + bucket[8](user_id).
 *
 *   npm run bench -w @matih/iceberg        (needs the local stack's PostgreSQL: `matih stack up`)
 *   MATIH_BENCH_PG=postgresql://… to use another PostgreSQL.
 *   npm run bench:iceberg:rest             the same through the stack's REST catalog, files on its
 *                                          S3 object store (MATIH_BENCH_CATALOG=rest)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { Catalog, JdbcCatalog, RestCatalog, S3FileIO, loadTable } from '@matih/iceberg';
import { stackEndpoints } from '@matih/stack';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG = process.env['MATIH_BENCH_PG'] ?? 'postgresql://matih:matih@127.0.0.1:15432/matih';

const REST = process.env['MATIH_BENCH_CATALOG'] === 'rest';

/** The JDBC catalog with a local file warehouse, or the stack's REST catalog with files on its object store. */
async function openBenchCatalog(warehouse: string): Promise<{ catalog: Catalog; namespace: string }> {
  if (REST) {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const e = stackEndpoints();
    const s3 = e.objectStore;
    const io = new S3FileIO({ endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    const catalog = new RestCatalog({ name: 'bench', uri: e.restCatalog.uri, io });
    await catalog.initialize();
    const namespace = `bench_${randomUUID().slice(0, 8)}`;
    await catalog.createNamespace([namespace]);
    return { catalog, namespace };
  }
  const catalog = new JdbcCatalog({ name: `bench_${randomUUID().slice(0, 8)}`, warehouse: `file:${warehouse}`, pool: { connectionString: PG, max: 2 } });
  await catalog.initialize();
  await catalog.createNamespace(['bench']);
  return { catalog, namespace: 'bench' };
}

async function main(): Promise<void> {
  const warehouse = mkdtempSync(join(tmpdir(), 'iceberg-bench-'));
  const { catalog, namespace } = await openBenchCatalog(warehouse);
  console.log(REST ? `REST catalog ${stackEndpoints().restCatalog.uri}, files on S3 ${stackEndpoints().objectStore.endpoint}` : `JDBC catalog, files in ${warehouse}`);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const fields = [
    { id: 1, name: 'event_id', required: true, type: 'long' as const },
    { id: 2, name: 'user_id', required: true, type: 'long' as const },
    { id: 3, name: 'event_type', required: false, type: 'string' as const },
    { id: 4, name: 'url', required: false, type: 'string' as const },
    { id: 5, name: 'amount', required: false, type: 'decimal(12,2)' as const },
    { id: 6, name: 'score', required: false, type: 'double' as const },
    { id: 7, name: 'ts', required: true, type: 'timestamptz' as const },
    { id: 8, name: 'country', required: false, type: 'string' as const },
  ];
  const layouts = {
    unpartitioned: [],
    'day(ts)+bucket[8](user_id)': [
      { sourceId: 7, transform: 'day' as const },
      { sourceId: 2, transform: 'bucket[8]' as const },
    ],
  };
  console.log('batch      layout                        path      batches  rows/s      MB/s   ms/batch');
  for (const size of [10_000, 100_000]) {
    await c.run(`CREATE OR REPLACE TABLE batch AS SELECT
        i::BIGINT AS event_id, (i % 5000)::BIGINT AS user_id,
        ['click','view','buy','scroll'][1 + i % 4] AS event_type, '/product/' || (i % 997) AS url,
        CASE WHEN i % 9 = 0 THEN NULL ELSE (i % 10000) / 100 END::DECIMAL(12,2) AS amount, random() AS score,
        TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds(i * 3) AS ts, ['FR','DE','US',NULL][1 + i % 4] AS country
      FROM range(${size}) t(i)`);
    const jsRows = (await c.runAndReadAll('SELECT * FROM batch LIMIT 10000')).getRowObjects();
    for (const [layout, partitionBy] of Object.entries(layouts)) {
      for (const path of ['relation', 'rows'] as const) {
        if (path === 'rows' && size > 10_000) continue; // the rows path is for small batches
        const name = `t_${size}_${Object.keys(layouts).indexOf(layout)}_${path}`;
        await catalog.createTable({ namespace: [namespace], name }, { fields, partitionBy });
        const t = await loadTable(catalog, { namespace: [namespace], name });
        const batches = size >= 100_000 ? 5 : 10;
        // one warm-up batch
        await (path === 'relation' ? t.append({ connection: c, sql: 'batch' }) : t.append({ rows: jsRows.map((r) => ({ ...r, ts: new Date(String(r['ts'])) })) }));
        let bytes = 0n;
        let rowsDone = 0n;
        const start = process.hrtime.bigint();
        for (let b = 0; b < batches; b++) {
          const r =
            path === 'relation'
              ? await t.append({ connection: c, sql: 'batch' }, { summary: { 'kafka.offsets': `{"t-0":${b}}` } })
              : await t.append({ rows: jsRows.map((r) => ({ ...r, ts: new Date(String(r['ts'])) })) }, { summary: { 'kafka.offsets': `{"t-0":${b}}` } });
          bytes += r.bytes;
          rowsDone += r.records;
        }
        const secs = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(
          `${String(size).padEnd(10)} ${layout.padEnd(29)} ${path.padEnd(9)} ${String(batches).padEnd(8)} ${Math.round(Number(rowsDone) / secs)
            .toString()
            .padEnd(11)} ${(Number(bytes) / 1e6 / secs).toFixed(1).padEnd(6)} ${((secs * 1000) / batches).toFixed(1)}`,
        );
      }
    }
  }
  c.closeSync();
  await catalog.close();
  rmSync(warehouse, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
