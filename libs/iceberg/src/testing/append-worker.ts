/* A separate process appending batches to one table of the stack's JDBC or REST catalog (used by the
 * concurrency integration test). argv: <jdbc|rest> <namespace> <table> <worker> <batches> <rows per batch> */
import { loadTable } from '../table';
import { openStackCatalog, type StackCatalogKind } from './stack';

async function main(): Promise<void> {
  const [kind, ns, table, worker, batches, rowsPer] = process.argv.slice(2) as string[];
  const catalog = await openStackCatalog(kind as StackCatalogKind);
  const t = await loadTable(catalog, { namespace: [ns!], name: table! });
  let attempts = 0;
  for (let b = 0; b < Number(batches); b++) {
    const base = Number(worker) * 1_000_000 + b * Number(rowsPer);
    const rows = Array.from({ length: Number(rowsPer) }, (_, k) => ({ id: BigInt(base + k), worker: Number(worker), batch: b }));
    const r = await t.append({ rows }, { summary: { 'matih.worker': String(worker), 'matih.batch': String(b) } });
    attempts += r.attempts;
  }
  await catalog.close();
  process.stdout.write(JSON.stringify({ worker: Number(worker), attempts }));
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exit(1);
});
