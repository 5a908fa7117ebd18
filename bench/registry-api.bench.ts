/*
 * Load test of the registry's REST API on loopback: a real registry process on the local stack's
 * PostgreSQL (a fresh database), 200 registered pipelines, then a bounded number of requests at a
 * fixed concurrency per endpoint. Prints requests/s and latency p50/p90/p99 per endpoint.
 *
 *   npm run bench:registry        (needs the local stack: `npx matih stack up`)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, startApp, waitHealthy } from '@matih/stack';

const PIPELINES = 200;
const REQUESTS = Number(process.env.MATIH_BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.MATIH_BENCH_CONCURRENCY ?? 16);
const PORT = 28190;
const ADMIN = `bench-${randomUUID()}`;
const root = path.resolve(__dirname, '..');
const seed = readFileSync(path.join(root, 'examples/clickstream.yaml'), 'utf8');

async function call(method: string, url: string, body?: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}${url}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/yaml' } : {}) },
    body,
  });
  await response.arrayBuffer();
  if (response.status >= 400) throw new Error(`${method} ${url} → ${response.status}`);
  return performance.now() - started;
}

async function load(name: string, request: (i: number) => Promise<number>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) latencies.push(await request(next++));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  console.log(
    `registry-api: ${name.padEnd(38)} ${String(REQUESTS).padStart(5)} requests, concurrency ${CONCURRENCY}: ${(REQUESTS / seconds).toFixed(0).padStart(5)} req/s  p50 ${p(0.5)} ms  p90 ${p(0.9)} ms  p99 ${p(0.99)} ms`,
  );
}

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_registry');
  const registry = startApp('registry', {
    port: PORT,
    env: {
      REGISTRY_DATABASE_URL: database.url,
      REGISTRY_ADMIN_TOKEN: ADMIN,
      KAFKA_CONNECTION: '127.0.0.1:19092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18085',
      LOG_LEVEL: 'warn',
    },
  });
  try {
    await waitHealthy(registry);
    const names = Array.from({ length: PIPELINES }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
    for (const name of names) await call('POST', '/v1/pipelines', seed.replace('name: realtime-clickstream', `name: ${name}`));
    await load('GET /v1/pipelines/:name', (i) => call('GET', `/v1/pipelines/${names[i % PIPELINES]}`));
    await load('GET /v1/pipelines?limit=50', () => call('GET', '/v1/pipelines?limit=50'));
    await load('GET /v1/audit?limit=100', () => call('GET', '/v1/audit?limit=100'));
    await load('POST /v1/pipelines/validate (seed)', () => call('POST', '/v1/pipelines/validate', seed));
    await load('POST /v1/pipelines (same version again)', (i) => call('POST', '/v1/pipelines', seed.replace('name: realtime-clickstream', `name: ${names[i % PIPELINES]}`)));
  } finally {
    await registry.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
