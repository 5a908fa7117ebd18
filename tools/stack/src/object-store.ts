import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST, PORTS, stackEndpoints, type StackEndpoints, type StackLayout } from './layout';
import { livePid, readPidFile, run, spawnDetached } from './process';
import { fileText, makeVenv, pythonDir, sha256, step, type Log } from './provision';

/**
 * The stack's `objectstore` component: an S3-compatible server on loopback (moto's server, from
 * PyPI, in a venv of its own). Objects live in the server's memory: a restart empties the store
 * (the REST catalog, whose tables live there, starts over with it: see rest-catalog.ts).
 */
export function objectStorePaths(l: StackLayout) {
  const venv = path.join(l.root, 'python', 'objectstore-venv');
  return {
    venv,
    server: path.join(venv, 'bin', 'moto_server'),
    requirements: path.join(pythonDir(), 'objectstore-requirements.txt'),
    pidFile: path.join(l.run, 'objectstore.pid'),
    log: path.join(l.logs, 'objectstore.log'),
  };
}

/** The venv with moto's server (python/objectstore-requirements.txt, a full lock); cached by its inputs. */
export async function provisionObjectStore(l: StackLayout, log: Log): Promise<void> {
  const p = objectStorePaths(l);
  const python = process.env['MATIH_PYTHON'] ?? 'python3';
  const version = (await run(python, ['-c', 'import sys; print(sys.version)'])).trim();
  await step(l, 'objectstore', 'objectstore-venv', sha256(version, fileText(p.requirements)), log, () => fs.existsSync(p.server), () =>
    makeVenv(l, python, p.venv, ['-r', p.requirements]),
  );
}

/** The running server's pid, or null. */
export function objectStorePid(l: StackLayout): number | null {
  return livePid(objectStorePaths(l).pidFile);
}

/**
 * Identifies one run of the object store (its pid file's start time): what the REST catalog records
 * to notice that the store was restarted, and so emptied, under it. null when not running.
 */
export function objectStoreGeneration(l: StackLayout): string | null {
  const p = objectStorePaths(l);
  if (livePid(p.pidFile) === null) return null;
  const record = readPidFile(p.pidFile);
  return record ? `${record.pid}@${record.startedAt}` : null;
}

/** Starts the server unless it runs; true when it was started now. */
export function spawnObjectStore(l: StackLayout, log: Log): boolean {
  const p = objectStorePaths(l);
  if (livePid(p.pidFile) !== null) return false;
  log('[objectstore] starting');
  spawnDetached({
    command: p.server,
    args: ['-H', HOST, '-p', String(PORTS.objectStore)],
    cwd: l.root,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    logFile: p.log,
    pidFile: p.pidFile,
    match: [p.server, String(PORTS.objectStore)],
  });
  return true;
}

async function s3Client(e: StackEndpoints['objectStore']) {
  // the SDK version is pinned for Node 20 (the repository's engine): its notice about later versions is noise in `stack status`
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint: e.endpoint,
    region: e.region,
    forcePathStyle: true,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    maxAttempts: 1,
  });
}

/** Readiness: the server answers S3's ListBuckets. */
export async function probeObjectStore(e: StackEndpoints['objectStore'] = stackEndpoints().objectStore): Promise<void> {
  const { ListBucketsCommand } = await import('@aws-sdk/client-s3');
  const client = await s3Client(e);
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(3000) });
  } finally {
    client.destroy();
  }
}

/** Creates the warehouse bucket when it is missing (idempotent). */
export async function ensureBucket(e: StackEndpoints['objectStore'] = stackEndpoints().objectStore): Promise<void> {
  const { CreateBucketCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const client = await s3Client(e);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: e.bucket }));
      return;
    } catch {
      // missing: create it
    }
    await client.send(new CreateBucketCommand({ Bucket: e.bucket }));
  } finally {
    client.destroy();
  }
}
