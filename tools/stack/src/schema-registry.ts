import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDatabase } from './database';
import { CREDENTIALS, HOST, PORTS, stackEndpoints, toolDir, type StackLayout } from './layout';
import { livePid, spawnDetached } from './process';
import { ensureJava, maven, sha256, step, type BeforeChange, type Log } from './provision';

/**
 * The stack's `schema-registry` component: Apicurio Registry 2.4.2.Final, which serves the
 * Confluent Schema Registry API under /apis/ccompat/v7, built from Maven Central by
 * maven/schema-registry (see its pom.xml for why it is built rather than downloaded) and keeping its
 * schemas in a database of its own on the stack's PostgreSQL, so they outlive a restart as the
 * Kafka records that name them do. Anonymous: no authentication.
 */
export function schemaRegistryPaths(l: StackLayout) {
  const home = path.join(l.root, 'schema-registry');
  const sources = path.join(toolDir(), 'maven', 'schema-registry');
  return {
    home,
    /** the Quarkus fast-jar folder (quarkus-run.jar, lib/, app/, quarkus/) */
    app: path.join(home, 'app'),
    build: path.join(home, 'build'),
    sources,
    settings: path.join(sources, 'settings.xml'),
    pidFile: path.join(l.run, 'schema-registry.pid'),
    log: path.join(l.logs, 'schema-registry.log'),
  };
}

/** Every file of maven/schema-registry (poms, settings, our Java sources), relative path and text: the build's input. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'target') walk(rel);
      } else {
        out.push(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
      }
    }
  };
  walk('');
  return out;
}

/**
 * Builds the registry (cached by the hash of maven/schema-registry): installs our config-index
 * deployment module into the local Maven repository under Apicurio's coordinates, then runs the
 * Quarkus build of the registry app. Only Maven Central is used (settings.xml). Returns JAVA_HOME.
 */
export async function provisionSchemaRegistry(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<string> {
  const javaHome = await ensureJava(l, log);
  const p = schemaRegistryPaths(l);
  const present = () => fs.existsSync(path.join(p.app, 'quarkus-run.jar'));
  await step(l, 'schema-registry', 'schema-registry-app', sha256(...sourceFiles(p.sources)), log, present, async () => {
    fs.rmSync(p.build, { recursive: true, force: true });
    const settings = ['-s', p.settings];
    await maven(l, javaHome, [...settings, '-f', path.join(p.sources, 'config-index-deployment', 'pom.xml'), `-Dstack.build.directory=${path.join(p.build, 'deployment')}`, 'install'], log);
    await maven(
      l,
      javaHome,
      [
        ...settings,
        '-f',
        path.join(p.sources, 'pom.xml'),
        `-Dstack.build.directory=${path.join(p.build, 'app')}`,
        // the app's application.properties asks for these in its prod profile; a %prod key wins over a plain one
        '-D%prod.quarkus.package.type=fast-jar',
        '-D%prod.quarkus.datasource.db-kind=postgresql',
        'package',
      ],
      log,
    );
    fs.rmSync(p.app, { recursive: true, force: true });
    fs.renameSync(path.join(p.build, 'app', 'quarkus-app'), p.app);
    fs.rmSync(p.build, { recursive: true, force: true });
  }, beforeChange);
  return javaHome;
}

export function schemaRegistryPid(l: StackLayout): number | null {
  return livePid(schemaRegistryPaths(l).pidFile);
}

/** The environment variables the app's application.properties reads: port and storage. */
export function schemaRegistryEnv(): Record<string, string> {
  const pg = stackEndpoints().postgres;
  return {
    HTTP_PORT: String(PORTS.schemaRegistry),
    REGISTRY_DATASOURCE_URL: `jdbc:postgresql://${pg.host}:${pg.port}/${CREDENTIALS.schemaRegistry.database}`,
    REGISTRY_DATASOURCE_USERNAME: pg.user,
    REGISTRY_DATASOURCE_PASSWORD: pg.password,
  };
}

/** Starts the registry (its tables are created on its first start). PostgreSQL must be running. */
export async function spawnSchemaRegistry(l: StackLayout, javaHome: string, log: Log): Promise<void> {
  const p = schemaRegistryPaths(l);
  await ensureDatabase(CREDENTIALS.schemaRegistry.database); // never emptied by the stack
  fs.mkdirSync(p.home, { recursive: true });
  log('[schema-registry] starting');
  const jar = path.join(p.app, 'quarkus-run.jar');
  spawnDetached({
    command: path.join(javaHome, 'bin', 'java'),
    args: [
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dquarkus.http.host=${HOST}`,
      `-Dquarkus.http.port=${PORTS.schemaRegistry}`,
      // the app's prod profile keeps 20 connections open; a local registry needs a few
      '-D%prod.quarkus.datasource.jdbc.initial-size=2',
      '-D%prod.quarkus.datasource.jdbc.min-size=2',
      '-D%prod.quarkus.datasource.jdbc.max-size=20',
      '-jar',
      jar,
    ],
    cwd: p.home,
    env: { ...process.env, ...schemaRegistryEnv() },
    logFile: p.log,
    pidFile: p.pidFile,
    match: [jar],
  });
}

/** Readiness: `/health/ready` (storage reachable) answers 200. */
export async function probeSchemaRegistry(): Promise<void> {
  const url = `http://${HOST}:${PORTS.schemaRegistry}/health/ready`;
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  await response.text();
}

/**
 * Registers a schema under a subject in the stack's registry (`POST /subjects/{subject}/versions`,
 * Confluent API) and returns its id. Registering the same schema again returns the same id. Apicurio
 * gives content ids: one id per distinct schema text, whichever subjects share it.
 */
export async function registerSchema(subject: string, schema: string, schemaType: 'AVRO' | 'PROTOBUF' | 'JSON' = 'AVRO'): Promise<number> {
  const url = `${stackEndpoints().schemaRegistry.url}/subjects/${encodeURIComponent(subject)}/versions`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(schemaType === 'AVRO' ? { schema } : { schema, schemaType }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  const { id } = JSON.parse(text) as { id?: unknown };
  if (typeof id !== 'number') throw new Error(`POST ${url}: no schema id in ${text.slice(0, 300)}`);
  return id;
}
