import { getHeapStatistics } from 'node:v8';

/**
 * Node lets the V8 heap grow to a quarter of the machine's memory before it collects old garbage, and
 * an executor turns over its batches' records fast: unbounded, its heap grows far beyond what it
 * holds. An executor holds at most three batches (one accumulating, one preparing, one committing),
 * so its processes are launched with an old space sized from `max_records`.
 */
export function executorHeapMb(maxRecords: number): number {
  // code and clients ~96 MB; three batches at ≤ 4 KB a record in the heap (measured ~2.5 KB with 250-byte JSON events)
  return Math.max(256, 96 + Math.ceil((3 * maxRecords * 4) / 1024));
}

/**
 * The Node options an executor process is launched with (the micro-batch service, Airflow tasks).
 * Besides the limit, the old space starts at five eighths of it: V8 would otherwise start small and
 * collect the old generation every few batches (about five times a second at 100k records/s, with
 * the concurrent marking that goes with it); starting at 160 MB of 256 cuts that to a third and the
 * executor's CPU by about a tenth (`npm run bench:microbatch`). V8 reads it only from the command
 * line (NODE_OPTIONS refuses it), so launchers pass these as node's arguments.
 */
export function executorNodeOptions(maxRecords = 10_000): string[] {
  const heapMb = executorHeapMb(maxRecords);
  return [`--max-old-space-size=${heapMb}`, `--initial-old-space-size=${Math.floor((heapMb * 5) / 8)}`];
}

/** A warning when this process's heap limit is below what a plan's batches need, or null. */
export function heapWarning(maxRecords: number): string | null {
  const limitMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  const needed = executorHeapMb(maxRecords);
  if (limitMb >= needed) return null;
  return `the heap limit is ${limitMb} MB but batches of ${maxRecords} records need about ${needed} MB: start the process with node ${executorNodeOptions(maxRecords).join(' ')} or lower max_records`;
}
