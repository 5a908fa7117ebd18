import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

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

/** Start one of the apps as its own process, exactly as `main.ts` runs in production. */
export function startService(name: string, port: number, env: Record<string, string> = {}): RunningService {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('apps', name, 'src', 'main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', SWC_NODE_PROJECT: 'tsconfig.base.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
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
