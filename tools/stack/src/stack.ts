import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { flinkConfig, renderFlatYaml } from './config';
import { COMPONENTS, HOST, PORTS, layout, stackEndpoints, type ComponentName, type StackLayout } from './layout';
import { isOurProcess, livePid, portOpen, readPidFile, run, sleep, spawnDetached, tail, terminate } from './process';
import {
  asPostgres,
  kafkaJavaArgs,
  provisionFlink,
  provisionKafka,
  provisionLog,
  postgresPaths,
  provisionPostgres,
  ProvisionError,
  writeKafkaConfig,
  type Log,
} from './provision';
import { provisionKafkaTls } from './kafka-tls';
import { ensureBucket, objectStorePaths, probeObjectStore, provisionObjectStore, spawnObjectStore } from './object-store';
import { probeRestCatalog, provisionRestCatalog, restCatalogPaths, spawnRestCatalog } from './rest-catalog';
import { probeSchemaRegistry, provisionSchemaRegistry, schemaRegistryPaths, spawnSchemaRegistry } from './schema-registry';

export type ComponentState = 'running' | 'stopped' | 'unhealthy';

export interface ProcessStatus {
  role: string;
  pid: number | null;
  log: string;
}

export interface ComponentStatus {
  name: ComponentName;
  state: ComponentState;
  address: string;
  /** the main process (for flink: the JobManager) */
  pid: number | null;
  log: string;
  processes: ProcessStatus[];
  /** why it is unhealthy, when it is */
  detail?: string;
}

export interface StackStatus {
  stateDir: string;
  components: ComponentStatus[];
}

export interface StackUpOptions {
  components?: ComponentName[];
  log?: (line: string) => void;
}

/** A component failed to provision, start or become ready. */
export class StackComponentError extends Error {
  constructor(
    readonly component: ComponentName,
    what: string,
    readonly logFile: string,
  ) {
    const lines = tail(logFile, 20)
      .split('\n')
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
    super(`[${component}] ${what}\nlog: ${logFile}${lines ? `\n--- last lines of the log ---\n${lines}` : ''}`);
    this.name = 'StackComponentError';
  }
}

// ---------------------------------------------------------------------------------------------
// processes and health checks

interface Role {
  role: string;
  pidFile: string;
  log: string;
}

function roles(l: StackLayout, name: ComponentName): Role[] {
  const pid = (role: string) => path.join(l.run, `${role}.pid`);
  switch (name) {
    case 'postgres':
      return [{ role: 'postgres', pidFile: path.join(postgresPaths(l).data, 'postmaster.pid'), log: l.postgres.log }];
    case 'kafka':
      return [{ role: 'kafka', pidFile: pid('kafka'), log: l.kafka.log }];
    case 'flink':
      return [
        { role: 'jobmanager', pidFile: pid('jobmanager'), log: l.flink.jobmanagerLog },
        { role: 'taskmanager', pidFile: pid('taskmanager'), log: l.flink.taskmanagerLog },
      ];
    case 'gateway':
      return [{ role: 'gateway', pidFile: pid('gateway'), log: l.flink.gatewayLog }];
    case 'objectstore':
      return [{ role: 'objectstore', pidFile: objectStorePaths(l).pidFile, log: objectStorePaths(l).log }];
    case 'rest-catalog':
      return [{ role: 'rest-catalog', pidFile: restCatalogPaths(l).pidFile, log: restCatalogPaths(l).log }];
    case 'schema-registry':
      return [{ role: 'schema-registry', pidFile: schemaRegistryPaths(l).pidFile, log: schemaRegistryPaths(l).log }];
  }
}

function address(name: ComponentName): string {
  switch (name) {
    case 'postgres':
      return `${HOST}:${PORTS.postgres}`;
    case 'kafka':
      return `${HOST}:${PORTS.kafka} (sasl ${PORTS.kafkaSasl}, sasl_ssl ${PORTS.kafkaSaslSsl}, mtls ${PORTS.kafkaMtls})`;
    case 'flink':
      return `http://${HOST}:${PORTS.flinkRest}`;
    case 'gateway':
      return `http://${HOST}:${PORTS.gateway}`;
    case 'objectstore':
      return `http://${HOST}:${PORTS.objectStore} (S3, path-style)`;
    case 'rest-catalog':
      return `http://${HOST}:${PORTS.restCatalog}`;
    case 'schema-registry':
      return `http://${HOST}:${PORTS.schemaRegistry}/apis/ccompat/v7 (Confluent API)`;
  }
}

function mainPort(name: ComponentName): number[] {
  switch (name) {
    case 'postgres':
      return [PORTS.postgres];
    case 'kafka':
      return [PORTS.kafka, PORTS.kafkaController, PORTS.kafkaSasl, PORTS.kafkaSaslSsl, PORTS.kafkaMtls];
    case 'flink':
      return [PORTS.flinkRest, PORTS.flinkRpc];
    case 'gateway':
      return [PORTS.gateway];
    case 'objectstore':
      return [PORTS.objectStore];
    case 'rest-catalog':
      return [PORTS.restCatalog];
    case 'schema-registry':
      return [PORTS.schemaRegistry];
  }
}

/** The live pid of a role (postgres keeps its own postmaster.pid, the rest our JSON pid files). */
function rolePid(l: StackLayout, role: Role): number | null {
  if (role.role === 'postgres') {
    try {
      const pid = Number(fs.readFileSync(role.pidFile, 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && isOurProcess(pid, [postgresPaths(l).data]) ? pid : null;
    } catch {
      return null;
    }
  }
  return livePid(role.pidFile);
}

async function getJson(url: string, timeoutMs = 3000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

/** One readiness probe; throws with the reason when not ready. */
async function probe(name: ComponentName): Promise<void> {
  const endpoints = stackEndpoints();
  switch (name) {
    case 'postgres': {
      const client = new Client({ ...endpoints.postgres, connectionTimeoutMillis: 3000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
      return;
    }
    case 'kafka': {
      const kafka = new Kafka({
        clientId: 'matih-stack-probe',
        brokers: endpoints.kafka.brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 5000,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('metadata lists no broker');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      return;
    }
    case 'flink': {
      const overview = (await getJson(`${endpoints.flink.restUrl}/overview`)) as { 'slots-total'?: number; taskmanagers?: number };
      const slots = overview['slots-total'] ?? 0;
      if (slots < 4) throw new Error(`/overview shows ${slots} task slots (${overview.taskmanagers ?? 0} taskmanagers), want >= 4`);
      return;
    }
    case 'gateway': {
      await getJson(`${endpoints.flink.gatewayUrl}/v1/info`);
      return;
    }
    case 'objectstore':
      return probeObjectStore(endpoints.objectStore);
    case 'rest-catalog':
      return probeRestCatalog(endpoints.restCatalog.uri);
    case 'schema-registry':
      return probeSchemaRegistry();
  }
}

const READY_TIMEOUT_MS: Record<ComponentName, number> = { postgres: 60_000, kafka: 120_000, flink: 180_000, gateway: 120_000, objectstore: 60_000, 'rest-catalog': 120_000, 'schema-registry': 120_000 };

async function waitReady(l: StackLayout, name: ComponentName, log: Log): Promise<void> {
  const started = Date.now();
  const deadline = started + READY_TIMEOUT_MS[name];
  let lastError = 'not probed';
  for (;;) {
    try {
      await probe(name);
      log(`[${name}] ready (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    for (const role of roles(l, name)) {
      if (rolePid(l, role) === null) throw new StackComponentError(name, `${role.role} exited during start-up (last probe: ${lastError})`, role.log);
    }
    if (Date.now() > deadline) {
      const role = roles(l, name)[0];
      throw new StackComponentError(name, `not ready within ${READY_TIMEOUT_MS[name] / 1000}s: ${lastError}`, role?.log ?? provisionLog(l));
    }
    await sleep(1000);
  }
}

// ---------------------------------------------------------------------------------------------
// start

function flinkEnv(l: StackLayout, javaHome: string): NodeJS.ProcessEnv {
  return { ...process.env, JAVA_HOME: javaHome, FLINK_HOME: l.flink.home, FLINK_CONF_DIR: l.flink.conf, FLINK_LOG_DIR: l.flink.logDir, FLINK_PID_DIR: l.run };
}

async function assertPortsFree(name: ComponentName, ports: number[], logFile: string): Promise<void> {
  for (const port of ports) {
    if (await portOpen(port)) {
      throw new StackComponentError(name, `port ${HOST}:${port} is in use by a process the stack did not start`, logFile);
    }
  }
}

async function startPostgres(l: StackLayout, log: Log): Promise<void> {
  const { bin, paths } = await provisionPostgres(l, log);
  const role = roles(l, 'postgres')[0] as Role;
  if (rolePid(l, role) === null) {
    await assertPortsFree('postgres', mainPort('postgres'), role.log);
    const options = [`-p ${PORTS.postgres}`, `-k '${paths.socketDir}'`, `-c listen_addresses=${HOST}`, '-c fsync=off', '-c max_connections=200'].join(' ');
    const [cmd, args] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', paths.data, '-l', paths.log, '-w', '-t', '60', '-o', options, 'start']);
    log('[postgres] starting');
    try {
      await run(cmd, args, { logFile: provisionLog(l) });
    } catch (error) {
      throw new StackComponentError('postgres', `pg_ctl start failed: ${(error as Error).message}`, role.log);
    }
  }
  await bootstrapPostgres(paths.socketDir);
  await waitReady(l, 'postgres', log);
}

/** Role and database `matih` (idempotent); over the unix socket as the trusted superuser. */
async function bootstrapPostgres(socketDir: string): Promise<void> {
  const { user, password, database } = stackEndpoints().postgres;
  const client = new Client({ host: socketDir, port: PORTS.postgres, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    if (role.rowCount === 0) await client.query(`CREATE ROLE "${user}" LOGIN SUPERUSER PASSWORD '${password}'`);
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (db.rowCount === 0) await client.query(`CREATE DATABASE "${database}" OWNER "${user}"`);
  } finally {
    await client.end();
  }
}

async function startKafka(l: StackLayout, log: Log): Promise<void> {
  const javaHome = await provisionKafka(l, log, () => stopComponents(l, ['kafka'], log));
  await provisionKafkaTls(l, log, () => stopComponents(l, ['kafka'], log));
  const role = roles(l, 'kafka')[0] as Role;
  if (rolePid(l, role) === null) {
    await assertPortsFree('kafka', mainPort('kafka'), role.log);
    writeKafkaConfig(l);
    log('[kafka] starting');
    spawnDetached({
      command: path.join(javaHome, 'bin', 'java'),
      args: [...kafkaJavaArgs(l, 'kafka.Kafka', '1g'), l.kafka.config],
      cwd: l.kafka.home,
      logFile: role.log,
      pidFile: role.pidFile,
      match: ['kafka.Kafka', l.kafka.config],
    });
  }
  await waitReady(l, 'kafka', log);
}

function writeFlinkConfig(l: StackLayout, javaHome: string): void {
  fs.writeFileSync(path.join(l.flink.conf, 'config.yaml'), renderFlatYaml(flinkConfig(l, javaHome)));
}

async function startFlink(l: StackLayout, log: Log): Promise<string> {
  const javaHome = await provisionFlink(l, log, () => stopComponents(l, ['gateway', 'flink'], log));
  const [jm, tm] = roles(l, 'flink') as [Role, Role];
  const jmPid = rolePid(l, jm);
  const tmPid = rolePid(l, tm);
  if (jmPid === null || tmPid === null) {
    if (jmPid === null) await assertPortsFree('flink', mainPort('flink'), jm.log);
    writeFlinkConfig(l, javaHome);
    const env = flinkEnv(l, javaHome);
    if (jmPid === null) {
      log('[flink] starting jobmanager');
      spawnDetached({
        command: 'bash',
        args: [path.join(l.flink.home, 'bin', 'jobmanager.sh'), 'start-foreground'],
        cwd: l.flink.home,
        env,
        logFile: jm.log,
        pidFile: jm.pidFile,
        // the pid is first bash running the script, which then execs java: both name the Flink home
        match: [l.flink.home],
      });
    }
    if (tmPid === null) {
      log('[flink] starting taskmanager');
      spawnDetached({
        command: 'bash',
        args: [path.join(l.flink.home, 'bin', 'taskmanager.sh'), 'start-foreground'],
        cwd: l.flink.home,
        env,
        logFile: tm.log,
        pidFile: tm.pidFile,
        // the pid is first bash running the script, which then execs java: both name the Flink home
        match: [l.flink.home],
      });
    }
  }
  await waitReady(l, 'flink', log);
  return javaHome;
}

async function startGateway(l: StackLayout, javaHome: string, log: Log): Promise<void> {
  const role = roles(l, 'gateway')[0] as Role;
  if (rolePid(l, role) === null) {
    await assertPortsFree('gateway', mainPort('gateway'), role.log);
    log('[gateway] starting');
    spawnDetached({
      command: 'bash',
      args: [path.join(l.flink.home, 'bin', 'sql-gateway.sh'), 'start-foreground'],
      cwd: l.flink.home,
      env: flinkEnv(l, javaHome),
      logFile: role.log,
      pidFile: role.pidFile,
      // the pid is first bash running the script, which then execs java: both name the Flink home
      match: [l.flink.home],
    });
  }
  await waitReady(l, 'gateway', log);
}

async function startObjectStore(l: StackLayout, log: Log): Promise<void> {
  await provisionObjectStore(l, log);
  const role = roles(l, 'objectstore')[0] as Role;
  if (rolePid(l, role) === null) {
    await assertPortsFree('objectstore', mainPort('objectstore'), role.log);
    spawnObjectStore(l, log);
  }
  await waitReady(l, 'objectstore', log);
  await ensureBucket();
}

/** After the object store: the catalog is (re)started when it does not run against the store's current run. */
async function startRestCatalog(l: StackLayout, log: Log): Promise<void> {
  const javaHome = await provisionRestCatalog(l, log);
  const role = roles(l, 'rest-catalog')[0] as Role;
  if (rolePid(l, role) === null) await assertPortsFree('rest-catalog', mainPort('rest-catalog'), role.log);
  await spawnRestCatalog(l, javaHome, log);
  await waitReady(l, 'rest-catalog', log);
}

/**
 * Builds the registry (when its sources changed: the running one is stopped first) while PostgreSQL
 * starts, then starts it on its database there.
 */
async function startSchemaRegistry(l: StackLayout, postgres: Promise<void>, log: Log): Promise<void> {
  const javaHome = await provisionSchemaRegistry(l, log, () => stopComponents(l, ['schema-registry'], log));
  // its storage: a PostgreSQL failure is reported by the postgres task
  if (!(await postgres.then(() => true, () => false))) return;
  const role = roles(l, 'schema-registry')[0] as Role;
  if (rolePid(l, role) === null) {
    await assertPortsFree('schema-registry', mainPort('schema-registry'), role.log);
    await spawnSchemaRegistry(l, javaHome, log);
  }
  await waitReady(l, 'schema-registry', log);
}

/** The requested components plus what they need (the gateway needs the Flink cluster), in start order. */
export function resolveComponents(requested: readonly ComponentName[] | undefined): ComponentName[] {
  const wanted = new Set<ComponentName>(requested && requested.length > 0 ? requested : COMPONENTS);
  if (wanted.has('gateway')) wanted.add('flink');
  if (wanted.has('rest-catalog')) {
    wanted.add('objectstore');
    wanted.add('postgres');
  }
  if (wanted.has('schema-registry')) wanted.add('postgres');
  return COMPONENTS.filter((c) => wanted.has(c));
}

function asComponentError(name: ComponentName, l: StackLayout, error: unknown): Error {
  if (error instanceof StackComponentError) return error;
  if (error instanceof ProvisionError) return new StackComponentError(name, error.message, error.logFile);
  return new StackComponentError(name, (error as Error).message, roles(l, name)[0]?.log ?? provisionLog(l));
}

/**
 * Provisions (when needed), starts and waits for the requested components (default: all).
 * Components already up are left alone; a failure names the component and its log.
 */
export async function stackUp(options: StackUpOptions = {}): Promise<StackStatus> {
  const log: Log = options.log ?? (() => undefined);
  const l = layout();
  for (const dir of [l.root, l.run, l.logs, l.markers]) fs.mkdirSync(dir, { recursive: true });
  const wanted = resolveComponents(options.components);
  const guard = (name: ComponentName, work: () => Promise<void>) =>
    work().catch((error: unknown) => {
      throw asComponentError(name, l, error);
    });
  const tasks: Array<Promise<void>> = [];
  const postgres = wanted.includes('postgres') ? guard('postgres', () => startPostgres(l, log)) : Promise.resolve();
  if (wanted.includes('postgres')) tasks.push(postgres);
  if (wanted.includes('kafka')) tasks.push(guard('kafka', () => startKafka(l, log)));
  if (wanted.includes('flink')) {
    tasks.push(
      guard('flink', async () => {
        const javaHome = await startFlink(l, log);
        if (wanted.includes('gateway')) await guard('gateway', () => startGateway(l, javaHome, log));
      }),
    );
  }
  if (wanted.includes('objectstore')) {
    tasks.push(
      guard('objectstore', async () => {
        await startObjectStore(l, log);
        if (!wanted.includes('rest-catalog')) return;
        // the catalog keeps its tables in PostgreSQL: that failure is reported by the postgres task
        if (!(await postgres.then(() => true, () => false))) return;
        await guard('rest-catalog', () => startRestCatalog(l, log));
      }),
    );
  }
  if (wanted.includes('schema-registry')) tasks.push(guard('schema-registry', () => startSchemaRegistry(l, postgres, log)));
  const results = await Promise.allSettled(tasks);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new Error(failures.map((f) => f.message).join('\n\n'));
  return stackStatus();
}

// ---------------------------------------------------------------------------------------------
// status and down

export async function stackStatus(): Promise<StackStatus> {
  const l = layout();
  const components = await Promise.all(
    COMPONENTS.map(async (name): Promise<ComponentStatus> => {
      const processes = roles(l, name).map((role) => ({ role: role.role, pid: rolePid(l, role), log: role.log }));
      const alive = processes.filter((p) => p.pid !== null).length;
      const base = { name, address: address(name), pid: processes[0]?.pid ?? null, log: processes[0]?.log ?? '', processes };
      if (alive === 0) return { ...base, state: 'stopped' };
      if (alive < processes.length) {
        const missing = processes.filter((p) => p.pid === null).map((p) => p.role);
        return { ...base, state: 'unhealthy', detail: `not running: ${missing.join(', ')}` };
      }
      try {
        await probe(name);
        return { ...base, state: 'running' };
      } catch (error) {
        return { ...base, state: 'unhealthy', detail: (error as Error).message };
      }
    }),
  );
  return { stateDir: l.root, components };
}

/**
 * Stops the processes the stack started (schema registry, REST catalog, object store, gateway, Flink, Kafka, PostgreSQL), each only after
 * checking that its pid still belongs to our process: SIGTERM (postgres: SIGINT, fast shutdown),
 * then SIGKILL after a grace period.
 */
export async function stackDown(options: { log?: (line: string) => void } = {}): Promise<void> {
  await stopComponents(layout(), ['schema-registry', 'rest-catalog', 'objectstore', 'gateway', 'flink', 'kafka', 'postgres'], options.log ?? (() => undefined));
}

async function stopComponents(l: StackLayout, order: ComponentName[], log: Log): Promise<void> {
  for (const name of order) {
    for (const role of [...roles(l, name)].reverse()) {
      const pid = rolePid(l, role);
      if (pid === null) continue;
      const match = role.role === 'postgres' ? [postgresPaths(l).data] : (readPidFile(role.pidFile)?.match ?? []);
      if (role.role === 'postgres') {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
      const outcome = await terminate(pid, match, role.role === 'kafka' ? 30_000 : 20_000);
      log(`[${name}] ${role.role} (pid ${pid}) ${outcome}`);
      if (role.role !== 'postgres') fs.rmSync(role.pidFile, { force: true });
    }
  }
}
