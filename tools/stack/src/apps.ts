import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './layout';

/** The services, each with the port it listens on when run locally. */
export const APPS = {
  registry: 18100,
  compiler: 18101,
  'flink-submitter': 18102,
  microbatch: 18103,
  monitor: 18104,
} as const;
export type AppName = keyof typeof APPS;

export interface StartAppOptions {
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** also append the app's output to this file */
  readonly logFile?: string;
  /**
   * run in a process group of its own, so that a Ctrl-C at the terminal reaches only the parent,
   * which then stops the app in its own time
   */
  readonly ownProcessGroup?: boolean;
}

export interface RunningService {
  readonly name: string;
  readonly baseUrl: string;
  readonly process: ChildProcess;
  /** everything the service wrote to stdout and stderr so far */
  output(): string;
  /** SIGTERM, then the exit code (or the signal that ended it) */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
  exited: Promise<number | NodeJS.Signals>;
}

/**
 * The Node options an app is launched with, as its nx `serve` target says (`node <options> -r …`):
 * e.g. the micro-batch service's heap, sized for its executors' batches.
 */
export function appNodeOptions(name: AppName): string[] {
  const project = JSON.parse(readFileSync(path.join(repoRoot(), 'apps', name, 'project.json'), 'utf8')) as { targets?: { serve?: { options?: { command?: string } } } };
  const command = project.targets?.serve?.options?.command ?? '';
  const m = /^node\s+(.*?)\s*-r @swc-node\/register /.exec(command);
  return m?.[1] ? m[1].split(/\s+/) : [];
}

/** Start one of the apps as its own process, exactly as its `main.ts` runs in production. */
export function startApp(name: AppName, options: StartAppOptions = {}): RunningService {
  const port = options.port ?? APPS[name];
  const child = spawn(process.execPath, [...appNodeOptions(name), '-r', '@swc-node/register', path.join('apps', name, 'src', 'main.ts')], {
    cwd: repoRoot(),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SWC_NODE_PROJECT: 'tsconfig.base.json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let output = '';
  const log = options.logFile ? openLog(options.logFile) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output += String(chunk);
      log?.write(chunk);
    });
  }
  child.once('exit', () => log?.end());
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'SIGKILL')),
  );
  return {
    name,
    baseUrl: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function openLog(file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  return createWriteStream(file, { flags: 'a' });
}

/** Poll until `probe` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export async function waitHealthy(service: RunningService, timeoutMs = 90_000): Promise<void> {
  try {
    await waitFor(
      `${service.name} to report healthy`,
      async () => {
        if (service.process.exitCode !== null) throw new Error(`${service.name} exited`);
        const response = await fetch(`${service.baseUrl}/health`);
        return response.status === 200 ? true : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- ${service.name} output ---\n${service.output().slice(-4000)}`);
  }
}
