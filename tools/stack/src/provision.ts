import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kafkaScramFormatArgs, renderKafkaLog4j2, renderKafkaServerProperties } from './config';
import { toolDir, type StackLayout } from './layout';
import { run } from './process';

export type Log = (line: string) => void;
/** Called before a step rewrites files a running process uses (to stop that process first). */
export type BeforeChange = () => Promise<void>;

/** A provisioning step failed; names the step and where its output went. */
export class ProvisionError extends Error {
  constructor(
    readonly component: string,
    readonly step: string,
    readonly logFile: string,
    cause: Error,
  ) {
    super(`[${component}] provisioning step "${step}" failed: ${cause.message}\nlog: ${logFile}`);
    this.name = 'ProvisionError';
  }
}

export function provisionLog(l: StackLayout): string {
  return path.join(l.logs, 'provision.log');
}

function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function hasJar(dir: string, prefix: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith(prefix) && f.endsWith('.jar'));
}

function fileText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/**
 * Runs `work` unless the step's marker holds the same input hash. The marker is written only after
 * `work` succeeded, so an interrupted step is redone (each step clears its own output first).
 */
async function step(
  l: StackLayout,
  component: string,
  name: string,
  inputHash: string,
  log: Log,
  /** a cheap check that the step's output is still there (a marker alone can outlive it) */
  present: () => boolean,
  work: () => Promise<void>,
  beforeWork?: BeforeChange,
): Promise<void> {
  const marker = path.join(l.markers, `${name}.done`);
  try {
    if (fs.readFileSync(marker, 'utf8').trim() === inputHash && present()) return;
  } catch {
    // no marker: not done yet
  }
  if (beforeWork) await beforeWork();
  fs.rmSync(marker, { force: true });
  const started = Date.now();
  log(`[${component}] ${name}: provisioning…`);
  try {
    await work();
  } catch (error) {
    throw new ProvisionError(component, name, provisionLog(l), error as Error);
  }
  fs.mkdirSync(l.markers, { recursive: true });
  fs.writeFileSync(marker, inputHash + '\n');
  log(`[${component}] ${name}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

// ---------------------------------------------------------------------------------------------
// host tools: apt packages, java, maven, python

let aptUpdated = false;
let aptChain: Promise<unknown> = Promise.resolve();

/** apt-get install (once `apt-get update`d), serialised: dpkg takes a lock. */
export function aptInstall(l: StackLayout, packages: string[], log: Log): Promise<void> {
  const next = aptChain.then(async () => {
    if (process.getuid?.() !== 0) throw new Error(`missing system packages (${packages.join(' ')}); install them or run as root`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
      log(`[host] apt-get update`);
      await run('apt-get', ['update'], { env, logFile: provisionLog(l) });
      aptUpdated = true;
    }
    log(`[host] apt-get install ${packages.join(' ')}`);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, logFile: provisionLog(l) });
  });
  aptChain = next.catch(() => undefined);
  return next;
}

function onPath(binary: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function findJava17(): string | null {
  const fromEnv = process.env['MATIH_JAVA_HOME'];
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'bin', 'java'))) return fromEnv;
  const jvm = '/usr/lib/jvm';
  const candidates = fs.existsSync(jvm) ? fs.readdirSync(jvm).filter((d) => /(^|-)17(-|$)/.test(d)).sort() : [];
  for (const dir of candidates) {
    const home = path.join(jvm, dir);
    if (fs.existsSync(path.join(home, 'bin', 'java'))) return fs.realpathSync(home);
  }
  return null;
}

/** JAVA_HOME of a Java 17 (Kafka 4 and Flink 2 both run on it); installs Debian's if none. */
export async function ensureJava(l: StackLayout, log: Log): Promise<string> {
  const found = findJava17();
  if (found) return found;
  await aptInstall(l, ['openjdk-17-jdk-headless'], log);
  const installed = findJava17();
  if (!installed) throw new Error('no Java 17 found under /usr/lib/jvm after installing openjdk-17-jdk-headless');
  return installed;
}

let mavenChain: Promise<unknown> = Promise.resolve();

/** `mvn dependency:copy-dependencies` of one of our poms; serialised (one local repository). */
export function mavenCopy(l: StackLayout, javaHome: string, pom: string, outputDir: string, extra: string[], log: Log): Promise<void> {
  const next = mavenChain.then(async () => {
    if (!onPath('mvn')) await aptInstall(l, ['maven'], log);
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, ...extra], {
      env: { ...process.env, JAVA_HOME: javaHome },
      logFile: provisionLog(l),
    });
  });
  mavenChain = next.catch(() => undefined);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Kafka

export function kafkaPom(): string {
  return path.join(toolDir(), 'maven', 'kafka', 'pom.xml');
}

export function writeKafkaConfig(l: StackLayout): void {
  fs.mkdirSync(l.kafka.home, { recursive: true });
  fs.writeFileSync(l.kafka.config, renderKafkaServerProperties(l));
  fs.writeFileSync(l.kafka.log4j, renderKafkaLog4j2());
}

export function kafkaJavaArgs(l: StackLayout, mainClass: string, heap: string): string[] {
  return [
    `-Xms256m`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${l.kafka.log4j}`,
    `-Dkafka.logs.dir=${path.join(l.logs, 'kafka')}`,
    '-cp',
    `${l.kafka.libs}/*`,
    mainClass,
  ];
}

export async function provisionKafka(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<string> {
  const javaHome = await ensureJava(l, log);
  await step(l, 'kafka', 'kafka-libs', sha256(fileText(kafkaPom())), log, () => hasJar(l.kafka.libs, 'kafka_2.13-'), async () => {
    const tmp = `${l.kafka.libs}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await mavenCopy(l, javaHome, kafkaPom(), tmp, [], log);
    fs.rmSync(l.kafka.libs, { recursive: true, force: true });
    fs.renameSync(tmp, l.kafka.libs);
  }, beforeChange);
  writeKafkaConfig(l);
  // formatting wipes the log dirs: only when never done (or the SCRAM credentials changed)
  const formatted = () => fs.existsSync(path.join(l.kafka.data, 'meta.properties'));
  await step(l, 'kafka', 'kafka-storage', sha256('kraft-standalone-v1', ...kafkaScramFormatArgs()), log, formatted, async () => {
    fs.rmSync(l.kafka.data, { recursive: true, force: true });
    const clusterId = randomBytes(16).toString('base64url');
    const java = path.join(javaHome, 'bin', 'java');
    await run(
      java,
      [...kafkaJavaArgs(l, 'kafka.tools.StorageTool', '512m'), 'format', '-t', clusterId, '-c', l.kafka.config, '--standalone', ...kafkaScramFormatArgs()],
      { logFile: provisionLog(l) },
    );
  }, beforeChange);
  return javaHome;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresBinaries {
  bin: string;
}

function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

export interface PgUser {
  uid: number;
  gid: number;
}

/** The OS user postgres runs as: `postgres` when we are root (postgres refuses root), else ourselves. */
export function postgresOsUser(): PgUser | null {
  if (process.getuid?.() !== 0) return null;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root but there is no `postgres` OS user');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a postgres binary as the postgres OS user (runuser) when we are root. */
export function asPostgres(bin: string, args: string[]): [string, string[]] {
  return postgresOsUser() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export async function provisionPostgres(l: StackLayout, log: Log): Promise<PostgresBinaries> {
  let bin = findPostgresBin();
  if (!bin) {
    await aptInstall(l, ['postgresql'], log);
    bin = findPostgresBin();
    if (!bin) throw new ProvisionError('postgres', 'apt-get install postgresql', provisionLog(l), new Error('no /usr/lib/postgresql/*/bin/postgres after install'));
  }
  const owner = postgresOsUser();
  fs.mkdirSync(l.postgres.socketDir, { recursive: true });
  fs.mkdirSync(l.logs, { recursive: true });
  if (!fs.existsSync(l.postgres.log)) fs.writeFileSync(l.postgres.log, '');
  if (owner) {
    for (const p of [l.postgres.home, l.postgres.socketDir, l.postgres.log]) fs.chownSync(p, owner.uid, owner.gid);
  }
  const initdb = path.join(bin, 'initdb');
  const initialised = () => fs.existsSync(path.join(l.postgres.data, 'PG_VERSION'));
  await step(l, 'postgres', 'postgres-initdb', sha256('initdb-v1'), log, initialised, async () => {
    fs.rmSync(l.postgres.data, { recursive: true, force: true });
    const [cmd, args] = asPostgres(initdb, [
      '-D',
      l.postgres.data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    try {
      await run(cmd, args, { logFile: provisionLog(l) });
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n(the postgres OS user must be able to reach ${l.postgres.home}: every parent folder needs o+x)`,
      );
    }
  });
  return { bin };
}

// ---------------------------------------------------------------------------------------------
// Python venv + Flink distribution

export function pythonDir(): string {
  return path.join(toolDir(), 'python');
}

export function flinkPom(): string {
  return path.join(toolDir(), 'maven', 'flink', 'pom.xml');
}

async function provisionVenv(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<void> {
  const python = process.env['MATIH_PYTHON'] ?? 'python3';
  const version = (await run(python, ['-c', 'import sys; print(sys.version)'])).trim();
  const requirements = path.join(pythonDir(), 'requirements.txt');
  const constraints = path.join(pythonDir(), 'build-constraints.txt');
  const venvPresent = () => fs.existsSync(l.python.bin);
  await step(l, 'flink', 'python-venv', sha256(version, fileText(requirements), fileText(constraints)), log, venvPresent, async () => {
    fs.rmSync(l.python.venv, { recursive: true, force: true });
    await run(python, ['-m', 'venv', l.python.venv], { logFile: provisionLog(l) });
    const pip = path.join(l.python.venv, 'bin', 'pip');
    await run(pip, ['install', '-q', '-r', requirements], {
      // apache-flink-libraries is an sdist whose setup.py needs pkg_resources (setuptools < 81)
      env: { ...process.env, PIP_CONSTRAINT: constraints, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      logFile: provisionLog(l),
    });
  }, beforeChange);
}

/** site-packages/pyflink of the venv: the Flink distribution the wheel ships. */
export function pyflinkDir(l: StackLayout): string {
  const libDir = path.join(l.python.venv, 'lib');
  const py = fs.readdirSync(libDir).find((d) => d.startsWith('python'));
  if (!py) throw new Error(`no python lib folder in ${libDir}`);
  return path.join(libDir, py, 'site-packages', 'pyflink');
}

/**
 * FLINK_HOME under the state folder: a copy of the wheel's distribution (bin, conf, lib, opt,
 * plugins) plus the SQL Gateway jar in opt/ and the connector jars in lib/.
 */
export async function provisionFlink(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<string> {
  const javaHome = await ensureJava(l, log);
  await provisionVenv(l, log, beforeChange);
  const inputs = sha256(fileText(path.join(pythonDir(), 'requirements.txt')), fileText(flinkPom()));
  const homePresent = () =>
    ['lib/flink-dist-', 'opt/flink-sql-gateway-', 'lib/iceberg-flink-runtime-', 'lib/flink-sql-connector-kafka-'].every((p) =>
      hasJar(path.join(l.flink.home, path.dirname(p)), path.basename(p)),
    );
  await step(l, 'flink', 'flink-home', inputs, log, homePresent, async () => {
    const tmp = `${l.flink.home}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const dist = pyflinkDir(l);
    for (const dir of ['bin', 'conf', 'lib', 'opt', 'plugins']) {
      if (fs.existsSync(path.join(dist, dir))) fs.cpSync(path.join(dist, dir), path.join(tmp, dir), { recursive: true });
    }
    fs.mkdirSync(path.join(tmp, 'log'), { recursive: true });
    const jars = path.join(tmp, 'extra-jars');
    await mavenCopy(l, javaHome, flinkPom(), jars, ['-DexcludeTransitive=true'], log);
    for (const jar of fs.readdirSync(jars)) {
      const target = jar.startsWith('flink-sql-gateway-') ? 'opt' : 'lib';
      fs.renameSync(path.join(jars, jar), path.join(tmp, target, jar));
    }
    fs.rmSync(jars, { recursive: true, force: true });
    fs.rmSync(l.flink.home, { recursive: true, force: true });
    fs.renameSync(tmp, l.flink.home);
  }, beforeChange);
  for (const dir of [l.flink.checkpoints, l.flink.savepoints, l.flink.tmp, l.flink.logDir, l.iceberg.warehouse]) fs.mkdirSync(dir, { recursive: true });
  return javaHome;
}
