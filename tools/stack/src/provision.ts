import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kafkaScramFormatArgs, renderKafkaLog4j2, renderKafkaServerProperties } from './config';
import { PORTS, toolDir, type StackLayout } from './layout';
import { isOurProcess, run, terminate } from './process';

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

export function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export function hasJar(dir: string, prefix: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith(prefix) && f.endsWith('.jar'));
}

export function fileText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/**
 * Runs `work` unless the step's marker holds the same input hash. The marker is written only after
 * `work` succeeded, so an interrupted step is redone (each step clears its own output first).
 */
export async function step(
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

/** Never ask: no debconf questions, keep existing config files (dpkg and ucf), no service restart prompts. */
export function aptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive', UCF_FORCE_CONFFOLD: '1', NEEDRESTART_MODE: 'a' };
}

export const APT_NONINTERACTIVE = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
let aptChain: Promise<unknown> = Promise.resolve();

/** apt-get install (once `apt-get update`d), serialised: dpkg takes a lock. */
export function aptInstall(l: StackLayout, packages: string[], log: Log): Promise<void> {
  const next = aptChain.then(async () => {
    if (process.getuid?.() !== 0) throw new Error(`missing system packages (${packages.join(' ')}); install them or run as root`);
    const env = aptEnv();
    // wait for a dpkg lock held by someone else (e.g. unattended-upgrades on a new machine) instead of failing
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    if (!aptUpdated) {
      // a new machine has no (or stale) package lists: always update before the first install
      log(`[host] apt-get update`);
      await run('apt-get', [...lock, 'update'], { env, logFile: provisionLog(l) });
      aptUpdated = true;
    }
    log(`[host] apt-get install ${packages.join(' ')}`);
    await run('apt-get', [...lock, ...APT_NONINTERACTIVE, 'install', '-y', '--no-install-recommends', ...packages], { env, logFile: provisionLog(l) });
  });
  aptChain = next.catch(() => undefined);
  return next;
}

/** The executable `binary` on PATH, or null. */
export function onPath(binary: string): string | null {
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

/** `mvn -q -B <args>` (installing Maven when missing); serialised, as all builds share one local repository. */
export function maven(l: StackLayout, javaHome: string, args: string[], log: Log): Promise<void> {
  const next = mavenChain.then(async () => {
    if (!onPath('mvn')) await aptInstall(l, ['maven'], log);
    await run('mvn', ['-q', '-B', ...args], { env: { ...process.env, JAVA_HOME: javaHome }, logFile: provisionLog(l) });
  });
  mavenChain = next.catch(() => undefined);
  return next;
}

/** `mvn dependency:copy-dependencies` of one of our poms. */
export function mavenCopy(l: StackLayout, javaHome: string, pom: string, outputDir: string, extra: string[], log: Log): Promise<void> {
  return maven(l, javaHome, ['-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, ...extra], log);
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

/** Where a cluster's own files live: in the state folder, or outside it (see `postgresPlacement`). */
export interface PostgresPaths {
  /** the folder holding data/ and run/ (`.stack/postgres`, or the external folder it links to) */
  home: string;
  data: string;
  socketDir: string;
  /** the server log pg_ctl writes (as the postgres OS user) */
  log: string;
  /** true when home is outside the state folder (`.stack/postgres` is a symlink to it) */
  external: boolean;
}

/**
 * The cluster's paths as recorded in the state folder: `.stack/postgres` is either the cluster's
 * folder itself or a symlink to an external one (when the postgres OS user cannot reach the state
 * folder). Cheap and synchronous: status and down use it too.
 */
export function postgresPaths(l: StackLayout): PostgresPaths {
  let target: string | null = null;
  try {
    if (fs.lstatSync(l.postgres.home).isSymbolicLink()) target = path.resolve(path.dirname(l.postgres.home), fs.readlinkSync(l.postgres.home));
  } catch {
    // not there yet
  }
  if (target === null) return { home: l.postgres.home, data: l.postgres.data, socketDir: l.postgres.socketDir, log: l.postgres.log, external: false };
  return externalPaths(target);
}

function externalPaths(home: string): PostgresPaths {
  return { home, data: path.join(home, 'data'), socketDir: path.join(home, 'run'), log: path.join(home, 'postgres.log'), external: true };
}

/** `<postgres home>/matih-<12 hex of sha256(state folder)>`: one external cluster folder per state folder. */
export function externalPostgresHome(l: StackLayout, postgresHome: string): string {
  return path.join(postgresHome, `matih-${createHash('sha256').update(l.root).digest('hex').slice(0, 12)}`);
}

/** The longest unix socket path postgres accepts is 107 bytes; keep a margin. */
const MAX_SOCKET_PATH = 100;

function postgresHomeDir(): string {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const home = line?.split(':')[5];
  return home && home !== '/' && home !== '/nonexistent' && fs.existsSync(home) ? home : '/var/lib/postgresql';
}

/** True when the postgres OS user can search (traverse) every given folder, tested as that user. */
async function postgresCanTraverse(dirs: string[]): Promise<boolean> {
  const test = dirs.flatMap((dir, i) => [...(i > 0 ? ['-a'] : []), '-x', dir]);
  try {
    await run('runuser', ['-u', 'postgres', '--', 'test', ...test]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides where the cluster lives and lays that out: in `.stack/postgres` when the postgres OS user
 * can reach the state folder (or when we are not root: postgres then runs as ourselves); otherwise
 * (e.g. a clone under /root, mode 700, or a umask of 077) in a postgres-owned folder under the
 * postgres user's home, `.stack/postgres` a symlink to it and `.stack/logs/postgres.log` a symlink
 * to its log. Also when the socket path would be too long for postgres.
 */
async function placePostgres(l: StackLayout, owner: PgUser | null, log: Log): Promise<PostgresPaths> {
  const inTree: PostgresPaths = { home: l.postgres.home, data: l.postgres.data, socketDir: l.postgres.socketDir, log: l.postgres.log, external: false };
  const socketTooLong = path.join(l.postgres.socketDir, `.s.PGSQL.${PORTS.postgres}`).length > MAX_SOCKET_PATH;
  const external = owner !== null && (socketTooLong || !(await postgresCanTraverse([l.root, l.logs])));
  let current: fs.Stats | null = null;
  try {
    current = fs.lstatSync(l.postgres.home);
  } catch {
    // nothing yet
  }
  if (!external || owner === null) {
    // a symlink left from an external placement: drop it (the cluster is re-initialised in the tree)
    if (current?.isSymbolicLink()) {
      await stopStalePostmaster(postgresPaths(l).data, log);
      fs.rmSync(l.postgres.home, { force: true });
      fs.rmSync(l.postgres.log, { force: true });
    }
    fs.mkdirSync(inTree.socketDir, { recursive: true });
    if (fs.lstatSync(l.postgres.log, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(l.postgres.log, { force: true });
    if (!fs.existsSync(l.postgres.log)) fs.writeFileSync(l.postgres.log, '');
    if (owner) {
      for (const p of [inTree.home, inTree.socketDir, inTree.log]) fs.chownSync(p, owner.uid, owner.gid);
    }
    return inTree;
  }
  const target = externalPostgresHome(l, postgresHomeDir());
  if (current && !(current.isSymbolicLink() && fs.readlinkSync(l.postgres.home) === target)) {
    // an in-tree cluster the postgres user can no longer reach, or a link elsewhere: replace it
    await stopStalePostmaster(postgresPaths(l).data, log);
    fs.rmSync(l.postgres.home, { recursive: true, force: true });
  }
  if (!fs.existsSync(target)) log(`[postgres] the postgres OS user cannot reach ${l.root}: keeping the cluster in ${target}`);
  fs.mkdirSync(path.join(target, 'run'), { recursive: true });
  const paths = externalPaths(target);
  if (!fs.existsSync(paths.log)) fs.writeFileSync(paths.log, '');
  fs.chmodSync(target, 0o700);
  for (const p of [target, paths.socketDir, paths.log]) fs.chownSync(p, owner.uid, owner.gid);
  if (!fs.lstatSync(l.postgres.home, { throwIfNoEntry: false })) fs.symlinkSync(target, l.postgres.home);
  // the log under .stack/logs, for people and for error messages: a link to the real one
  const logLink = fs.lstatSync(l.postgres.log, { throwIfNoEntry: false });
  if (!(logLink?.isSymbolicLink() && fs.readlinkSync(l.postgres.log) === paths.log)) {
    fs.rmSync(l.postgres.log, { force: true });
    fs.symlinkSync(paths.log, l.postgres.log);
  }
  return paths;
}

/** Stops a postmaster still running on `data` (e.g. the state folder was wiped while it ran) before that data is replaced. */
async function stopStalePostmaster(data: string, log: Log): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isOurProcess(pid, [data])) return;
  log(`[postgres] stopping the old cluster still running on ${data} (pid ${pid}) before re-initialising`);
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  await terminate(pid, [data], 20_000);
}

export async function provisionPostgres(l: StackLayout, log: Log): Promise<PostgresBinaries & { paths: PostgresPaths }> {
  let bin = findPostgresBin();
  if (!bin) {
    await installPostgresql(l, log);
    bin = findPostgresBin();
    if (!bin) throw new ProvisionError('postgres', 'apt-get install postgresql', provisionLog(l), new Error('no /usr/lib/postgresql/*/bin/postgres after install'));
  }
  const owner = postgresOsUser();
  fs.mkdirSync(l.logs, { recursive: true });
  const paths = await placePostgres(l, owner, log);
  const initdb = path.join(bin, 'initdb');
  const initialised = () => fs.existsSync(path.join(paths.data, 'PG_VERSION'));
  await step(l, 'postgres', 'postgres-initdb', sha256('initdb-v1'), log, initialised, async () => {
    // no marker (a new or wiped state folder) but maybe an old cluster, possibly still running
    await stopStalePostmaster(paths.data, log);
    fs.rmSync(paths.data, { recursive: true, force: true });
    const [cmd, args] = asPostgres(initdb, [
      '-D',
      paths.data,
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
      throw new Error(`${(error as Error).message}\n(the postgres OS user must be able to reach ${paths.home}: every parent folder needs o+x)`);
    }
  });
  return { bin, paths };
}

/**
 * Debian's postgresql package (non-interactively). Its postinst would create and, where services
 * may start, run a default cluster `main` on port 5432: a drop-in in createcluster.d (read through
 * createcluster.conf's include_dir) turns that off, as the stack runs its own cluster. Only written
 * when we are the ones installing PostgreSQL.
 */
async function installPostgresql(l: StackLayout, log: Log): Promise<void> {
  const dropIn = '/etc/postgresql-common/createcluster.d/matih-stack.conf';
  if (process.getuid?.() === 0 && !fs.existsSync(dropIn)) {
    fs.mkdirSync(path.dirname(dropIn), { recursive: true });
    fs.writeFileSync(dropIn, '# Written by MATIH tools/stack before installing postgresql: the stack runs its own cluster.\ncreate_main_cluster = false\n');
  }
  await aptInstall(l, ['postgresql'], log);
}

// ---------------------------------------------------------------------------------------------
// Python venv + Flink distribution

export function pythonDir(): string {
  return path.join(toolDir(), 'python');
}

export function flinkPom(): string {
  return path.join(toolDir(), 'maven', 'flink', 'pom.xml');
}

/** pip's environment for our installs: apache-flink-libraries is an sdist whose setup.py needs pkg_resources (setuptools < 81). */
function pipEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PIP_CONSTRAINT: path.join(pythonDir(), 'build-constraints.txt'), PIP_DISABLE_PIP_VERSION_CHECK: '1' };
}

/** A fresh venv at `venv` with `pip install <args>` in it (the old one removed first). */
export async function makeVenv(l: StackLayout, python: string, venv: string, pipArgs: string[]): Promise<void> {
  fs.rmSync(venv, { recursive: true, force: true });
  await run(python, ['-m', 'venv', venv], { logFile: provisionLog(l) });
  await run(path.join(venv, 'bin', 'pip'), ['install', '-q', ...pipArgs], { env: pipEnv(), logFile: provisionLog(l) });
}

/**
 * The two venvs, provisioned concurrently: the reader venv (pyiceberg, python/requirements.txt, a
 * full lock) and the Flink venv (apache-flink + apache-flink-libraries with --no-deps: only the
 * distribution they ship is used). Only a changed Flink venv stops the running Flink processes.
 */
async function provisionVenvs(l: StackLayout, log: Log, beforeFlinkChange?: BeforeChange): Promise<void> {
  const python = process.env['MATIH_PYTHON'] ?? 'python3';
  const version = (await run(python, ['-c', 'import sys; print(sys.version)'])).trim();
  const requirements = path.join(pythonDir(), 'requirements.txt');
  const flinkRequirements = path.join(pythonDir(), 'flink-requirements.txt');
  const constraints = fileText(path.join(pythonDir(), 'build-constraints.txt'));
  const results = await Promise.allSettled([
    step(l, 'flink', 'python-venv', sha256(version, fileText(requirements), constraints), log, () => fs.existsSync(l.python.bin), () =>
      makeVenv(l, python, l.python.venv, ['-r', requirements]),
    ),
    step(
      l,
      'flink',
      'flink-venv',
      sha256(version, fileText(flinkRequirements), constraints),
      log,
      () => fs.existsSync(path.join(pyflinkDir(l), 'lib')),
      () => makeVenv(l, python, l.python.flinkVenv, ['--no-deps', '-r', flinkRequirements]),
      beforeFlinkChange,
    ),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** site-packages/pyflink of the Flink venv: the Flink distribution the wheels ship. */
export function pyflinkDir(l: StackLayout): string {
  const libDir = path.join(l.python.flinkVenv, 'lib');
  const py = fs.existsSync(libDir) ? fs.readdirSync(libDir).find((d) => d.startsWith('python')) : undefined;
  if (!py) return path.join(libDir, 'python3', 'site-packages', 'pyflink');
  return path.join(libDir, py, 'site-packages', 'pyflink');
}

/**
 * FLINK_HOME under the state folder: a copy of the wheel's distribution (bin, conf, lib, opt,
 * plugins) plus the SQL Gateway jar in opt/ and the connector jars in lib/.
 */
export async function provisionFlink(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<string> {
  const javaHome = await ensureJava(l, log);
  await provisionVenvs(l, log, beforeChange);
  const inputs = sha256(fileText(path.join(pythonDir(), 'flink-requirements.txt')), fileText(flinkPom()));
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
