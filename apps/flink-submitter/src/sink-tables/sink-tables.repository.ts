import { Injectable } from '@nestjs/common';
import type { SinkPlan } from '@matih/contracts';
import { openCatalog } from '@matih/iceberg';
import { ensureSinkTable } from '@matih/planner';

/**
 * The Iceberg tables a Flink job writes. Flink's DDL cannot express hidden partition transforms
 * (`day(ts)`, `bucket[n]` …), so the submitter creates every sink's table in its catalog (the plan
 * says where; the password comes from this process's environment) before the job's script runs.
 */
@Injectable()
export class SinkTablesRepository {
  async ensure(sinks: readonly SinkPlan[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
    for (const sink of sinks) await ensureSinkTable(await openCatalog(sink.catalog, env), sink, { 'matih.created-by': 'flink-submitter' });
  }
}
