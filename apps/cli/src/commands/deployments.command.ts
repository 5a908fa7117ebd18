import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { RegistryApiError, RegistryClient, RegistryUnreachable } from '../api/registry-client';
import { EXIT } from '../exit-codes';
import { formatTable } from '../table';

/** A deployment as the registry returns it. */
interface Deployment {
  id: string;
  pipeline: string;
  owner: string;
  engine: string;
  version: string;
  state: string;
  jobId: string | null;
  savepointPath: string | null;
  lastError: string | null;
  previousVersion: { version: string } | null;
  updatedAt: string;
}

interface AuditEvent {
  position: number;
  streamId: string;
  type: string;
  principal: string;
  reason: string | null;
  pipeline: string | null;
  pipelineVersion: string | null;
  occurredAt: string;
}

interface GlobalOptions {
  registry: string;
  token?: string;
  json?: boolean;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Run a registry command: print what it returns, turn API errors into messages and exit codes. */
async function withRegistry(options: GlobalOptions, work: (client: RegistryClient) => Promise<void>): Promise<void> {
  try {
    await work(new RegistryClient({ url: options.registry.replace(/\/$/, ''), token: options.token }));
  } catch (error) {
    if (error instanceof RegistryApiError) {
      const p = error.problem;
      process.stderr.write(`matih: ${p.status} ${p.title ?? ''}: ${error.message}${p.code ? ` [${p.code}]` : ''}\n`);
      for (const d of p.diagnostics ?? []) process.stderr.write(`${d.file}:${d.line}:${d.col} ${d.severity} ${d.path ? `${d.path}: ` : ''}${d.message}${d.hint ? ` (${d.hint})` : ''}\n`);
      for (const e of p.errors ?? []) process.stderr.write(`  ${e.path || '(body)'}: ${e.message}\n`);
      process.exitCode = p.status === 401 || p.status === 403 ? EXIT.denied : EXIT.failure;
      return;
    }
    if (error instanceof RegistryUnreachable) {
      process.stderr.write(`matih: ${error.message}\n`);
      process.exitCode = EXIT.unreachable;
      return;
    }
    throw error;
  }
}

function printDeployments(items: Deployment[], json: boolean | undefined): void {
  if (json) {
    out(JSON.stringify(items, null, 2));
    return;
  }
  if (items.length === 0) {
    out('no deployments');
    return;
  }
  out(
    formatTable(
      ['DEPLOYMENT', 'PIPELINE', 'VERSION', 'ENGINE', 'STATE', 'UPDATED', 'NOTE'],
      items.map((d) => [d.id, d.pipeline, d.version, d.engine, d.state, d.updatedAt, d.lastError ?? (d.jobId ? `job ${d.jobId}` : '')]),
    ),
  );
}

/** Commands a person uses against the registry: register, deploy, status, stop, pause, resume, upgrade, rollback, audit. */
export function registerDeploymentCommands(program: Command): void {
  const registryOption = new Option('--registry <url>', 'registry API').env('MATIH_REGISTRY_URL').default('http://127.0.0.1:18100');
  const tokenOption = new Option('--token <token>', 'API token').env('MATIH_TOKEN');
  const common = (command: Command) => command.addOption(registryOption).addOption(tokenOption).option('--json', 'print JSON');

  common(program.command('register'))
    .description('register a pipeline version from a definition file (201 new, 200 unchanged)')
    .argument('<file>', 'pipeline definition (YAML)')
    .action((file: string, options: GlobalOptions) =>
      withRegistry(options, async (api) => {
        const { status, body } = await api.request<{ pipeline: string; version: string; hash: string; status: string }>('POST', `/v1/pipelines?file=${encodeURIComponent(file)}`, {
          yaml: readFileSync(file, 'utf8'),
        });
        out(options.json ? JSON.stringify(body, null, 2) : `${body.pipeline} ${body.version}: ${status === 201 ? 'registered' : 'already registered, unchanged'} (${body.hash})`);
      }),
    );

  common(program.command('deploy'))
    .description('deploy a pipeline: a definition file (registered first) or a registered pipeline name')
    .argument('<file-or-pipeline>')
    .option('--version <version>', 'which registered version (default: the file’s, or the latest)')
    .option('--reason <text>', 'why, for the audit log')
    .option('--wait', 'wait until the deployment is running (or failed)')
    .action((target: string, options: GlobalOptions & { version?: string; reason?: string; wait?: boolean }) =>
      withRegistry(options, async (api) => {
        let pipeline = target;
        let version = options.version;
        if (existsSync(target)) {
          const { body } = await api.request<{ pipeline: string; version: string }>('POST', `/v1/pipelines?file=${encodeURIComponent(target)}`, {
            yaml: readFileSync(target, 'utf8'),
          });
          pipeline = body.pipeline;
          version ??= body.version;
        }
        let { body: deployment } = await api.request<Deployment>('POST', '/v1/deployments', {
          json: { pipeline, ...(version ? { version } : {}), ...(options.reason ? { reason: options.reason } : {}) },
        });
        if (options.wait) {
          const deadline = Date.now() + 300_000;
          while (!['running', 'failed', 'stopped'].includes(deployment.state) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 1000));
            deployment = (await api.request<Deployment>('GET', `/v1/deployments/${deployment.id}`)).body;
          }
          if (deployment.state !== 'running') process.exitCode = EXIT.failure;
        }
        printDeployments([deployment], options.json);
      }),
    );

  common(program.command('status'))
    .description('show deployments (all, of a pipeline, or one by id)')
    .argument('[deployment-or-pipeline]')
    .action((target: string | undefined, options: GlobalOptions) =>
      withRegistry(options, async (api) => {
        if (target && /^[0-9a-f-]{36}$/.test(target)) {
          const { body } = await api.request<Deployment>('GET', `/v1/deployments/${target}`);
          if (options.json) return out(JSON.stringify(body, null, 2));
          printDeployments([body], false);
          if (body.savepointPath) out(`savepoint: ${body.savepointPath}`);
          if (body.previousVersion) out(`previous version: ${body.previousVersion.version} (matih rollback ${body.id})`);
          return;
        }
        const query = target ? `?pipeline=${encodeURIComponent(target)}&limit=200` : '?limit=200';
        printDeployments((await api.request<{ items: Deployment[] }>('GET', `/v1/deployments${query}`)).body.items, options.json);
      }),
    );

  for (const [name, description] of [
    ['stop', 'stop a deployment (Flink: with a savepoint, unless --cancel)'],
    ['pause', 'pause a running deployment (Flink: savepoint; micro-batch: finish the batch and leave the group)'],
    ['resume', 'resume a paused deployment from where it stopped'],
    ['upgrade', 'move a deployment to another registered version (default: the latest)'],
    ['rollback', 'move a deployment back to the version it ran before its last upgrade'],
  ] as const) {
    const command = common(program.command(name))
      .description(description)
      .argument('<deployment>', 'deployment id')
      .option('--reason <text>', 'why, for the audit log');
    if (name === 'stop') command.option('--cancel', 'cancel without a savepoint');
    if (name === 'upgrade') command.option('--version <version>', 'the version to move to');
    command.action((id: string, options: GlobalOptions & { reason?: string; cancel?: boolean; version?: string }) =>
      withRegistry(options, async (api) => {
        const body = {
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.cancel ? { mode: 'cancel' } : {}),
          ...(options.version ? { version: options.version } : {}),
        };
        printDeployments([(await api.request<Deployment>('POST', `/v1/deployments/${id}/${name}`, { json: body })).body], options.json);
      }),
    );
  }

  common(program.command('audit'))
    .description('the audit log: every deployment event, with who asked and why')
    .option('--pipeline <name>')
    .option('--deployment <id>')
    .option('--owner <team>')
    .option('--type <types>', 'comma-separated event types')
    .option('--since <iso-time>')
    .option('--limit <n>', 'at most this many events', '100')
    .action((options: GlobalOptions & { pipeline?: string; deployment?: string; owner?: string; type?: string; since?: string; limit: string }) =>
      withRegistry(options, async (api) => {
        const path = options.deployment
          ? `/v1/deployments/${options.deployment}/audit`
          : `/v1/audit?${new URLSearchParams(
              Object.entries({ pipeline: options.pipeline, owner: options.owner, type: options.type, since: options.since, limit: options.limit }).filter(
                (e): e is [string, string] => e[1] !== undefined,
              ),
            ).toString()}`;
        const { items } = (await api.request<{ items: AuditEvent[] }>('GET', path)).body;
        if (options.json) return out(JSON.stringify(items, null, 2));
        out(
          formatTable(
            ['TIME', 'STREAM', 'EVENT', 'VERSION', 'WHO', 'WHY'],
            items.map((e) => [e.occurredAt, e.streamId, e.type, e.pipelineVersion ?? '', e.principal, e.reason ?? '']),
          ),
        );
      }),
    );
}
