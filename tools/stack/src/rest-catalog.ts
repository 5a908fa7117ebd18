import * as fs from 'node:fs';
import * as path from 'node:path';
import { CREDENTIALS, HOST, PORTS, stackEndpoints, toolDir, type StackEndpoints, type StackLayout } from './layout';
import { ensureDatabase } from './database';
import { objectStoreGeneration } from './object-store';
import { livePid, readPidFile, spawnDetached, terminate } from './process';
import { ensureJava, hasJar, mavenCopy, sha256, fileText, step, type Log } from './provision';

/**
 * The stack's `rest-catalog` component: Iceberg's reference REST catalog server
 * (org.apache.iceberg.rest.RESTCatalogServer from iceberg-open-api's test fixtures, class path from
 * maven/rest-catalog/pom.xml) on a JdbcCatalog in its own database of the stack's PostgreSQL, with
 * S3FileIO writing table metadata to the object store.
 */
export function restCatalogPaths(l: StackLayout) {
  const home = path.join(l.root, 'rest-catalog');
  return {
    home,
    libs: path.join(home, 'libs'),
    pom: path.join(toolDir(), 'maven', 'rest-catalog', 'pom.xml'),
    /** the object store run the catalog's database belongs to (see objectStoreGeneration) */
    generation: path.join(home, 'objectstore-generation'),
    pidFile: path.join(l.run, 'rest-catalog.pid'),
    log: path.join(l.logs, 'rest-catalog.log'),
  };
}

const MAIN_CLASS = 'org.apache.iceberg.rest.RESTCatalogServer';

/** Resolves the server's class path (cached by the pom's hash); returns JAVA_HOME. */
export async function provisionRestCatalog(l: StackLayout, log: Log): Promise<string> {
  const javaHome = await ensureJava(l, log);
  const p = restCatalogPaths(l);
  await step(l, 'rest-catalog', 'rest-catalog-libs', sha256(fileText(p.pom)), log, () => hasJar(p.libs, 'iceberg-open-api-'), async () => {
    const tmp = `${p.libs}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await mavenCopy(l, javaHome, p.pom, tmp, [], log);
    fs.rmSync(p.libs, { recursive: true, force: true });
    fs.renameSync(tmp, p.libs);
  });
  return javaHome;
}

export function restCatalogPid(l: StackLayout): number | null {
  return livePid(restCatalogPaths(l).pidFile);
}

/** The server's configuration, as the CATALOG_* environment variables RESTCatalogServer reads. */
export function restCatalogEnv(e: StackEndpoints = stackEndpoints()): Record<string, string> {
  const pg = e.postgres;
  return {
    CATALOG_CATALOG__IMPL: 'org.apache.iceberg.jdbc.JdbcCatalog',
    CATALOG_URI: `jdbc:postgresql://${pg.host}:${pg.port}/${CREDENTIALS.restCatalog.database}`,
    CATALOG_JDBC_USER: pg.user,
    CATALOG_JDBC_PASSWORD: pg.password,
    CATALOG_JDBC_SCHEMA__VERSION: 'V1',
    CATALOG_WAREHOUSE: e.restCatalog.warehouse,
    CATALOG_IO__IMPL: 'org.apache.iceberg.aws.s3.S3FileIO',
    CATALOG_S3_ENDPOINT: e.objectStore.endpoint,
    CATALOG_S3_PATH__STYLE__ACCESS: 'true',
    CATALOG_S3_ACCESS__KEY__ID: e.objectStore.accessKeyId,
    CATALOG_S3_SECRET__ACCESS__KEY: e.objectStore.secretAccessKey,
    CATALOG_CLIENT_REGION: e.objectStore.region,
    CATALOG_REST_PORT: String(PORTS.restCatalog),
    AWS_REGION: e.objectStore.region,
  };
}

/**
 * Starts the server unless it runs against the current object store. The store keeps objects in
 * memory, so when it was restarted since the catalog started, the catalog is stopped and its
 * database emptied: otherwise it would list tables whose files are gone.
 */
export async function spawnRestCatalog(l: StackLayout, javaHome: string, log: Log): Promise<void> {
  const p = restCatalogPaths(l);
  const generation = objectStoreGeneration(l);
  if (generation === null) throw new Error('the object store is not running (start `objectstore` first)');
  let recorded: string | null = null;
  try {
    recorded = fs.readFileSync(p.generation, 'utf8').trim();
  } catch {
    // never started
  }
  const pid = livePid(p.pidFile);
  if (pid !== null && recorded === generation) return;
  if (pid !== null) {
    log('[rest-catalog] the object store was restarted (and so emptied): restarting the catalog on an empty database');
    await terminate(pid, readPidFile(p.pidFile)?.match ?? [], 20_000);
    fs.rmSync(p.pidFile, { force: true });
  }
  // the catalog's database; made anew when the object store it points into was emptied
  await ensureDatabase(CREDENTIALS.restCatalog.database, recorded !== generation);
  fs.mkdirSync(p.home, { recursive: true });
  fs.writeFileSync(p.generation, generation + '\n');
  log('[rest-catalog] starting');
  spawnDetached({
    command: path.join(javaHome, 'bin', 'java'),
    args: ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', '-cp', `${p.libs}/*`, MAIN_CLASS],
    cwd: p.home,
    env: { ...process.env, ...restCatalogEnv() },
    logFile: p.log,
    pidFile: p.pidFile,
    match: [MAIN_CLASS, p.libs],
  });
}

/** Readiness: `GET /v1/config` answers 200. */
export async function probeRestCatalog(uri: string = stackEndpoints().restCatalog.uri): Promise<void> {
  const response = await fetch(`${uri}/v1/config`, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`GET ${uri}/v1/config: HTTP ${response.status}`);
  await response.text();
}

export const REST_CATALOG_ADDRESS = `http://${HOST}:${PORTS.restCatalog}`;
