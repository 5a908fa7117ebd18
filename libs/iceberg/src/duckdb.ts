import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/**
 * Runs SQL (one statement or several: the last one's rows are returned) and reads its materialized
 * result at once. `runAndReadAll` fetches each chunk, and the end, in a further round trip through the
 * event loop: a batch's queries each waited for the main thread three times instead of once.
 */
export async function queryRows(connection: DuckDBConnection, sql: string): Promise<DuckDBValue[][]> {
  const result = await connection.run(sql);
  const rows: DuckDBValue[][] = [];
  for (let i = 0; i < result.chunkCount; i++) result.getChunk(i).appendToRows(rows);
  return rows;
}
