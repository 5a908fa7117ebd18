import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** What a pid file records about a process the stack started. */
export interface PidRecord {
  pid: number;
  /** every one of these must appear in /proc/<pid>/cmdline for the pid to still be ours */
  match: string[];
  startedAt: string;
}

export function readPidFile(file: string): PidRecord | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PidRecord>;
    if (typeof parsed.pid !== 'number' || !Array.isArray(parsed.match)) return null;
    return { pid: parsed.pid, match: parsed.match.filter((m): m is string => typeof m === 'string'), startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return null;
  }
}

export function writePidFile(file: string, record: PidRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
}

export function cmdlineOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/** True when the pid is alive (not a zombie) and its command line still contains every marker. */
export function isOurProcess(pid: number, match: readonly string[]): boolean {
  const cmdline = cmdlineOf(pid);
  if (cmdline === null || cmdline.trim() === '') return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    return false;
  }
  return match.every((m) => cmdline.includes(m));
}

/** The live pid of a pid file, or null (the file is removed when it is stale). */
export function livePid(file: string): number | null {
  const record = readPidFile(file);
  if (!record) return null;
  if (isOurProcess(record.pid, record.match)) return record.pid;
  fs.rmSync(file, { force: true });
  return null;
}

/**
 * Starts a long-running process detached from this one (own process group, stdio to the log file)
 * so it outlives the CLI, and records it in a pid file.
 */
export function spawnDetached(opts: {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  match: string[];
}): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} starting: ${opts.command} ${opts.args.join(' ')}\n`);
  const spawnOptions: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', fd, fd] };
  const child = spawn(opts.command, opts.args, spawnOptions);
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
  child.unref();
  writePidFile(opts.pidFile, { pid: child.pid, match: opts.match, startedAt: new Date().toISOString() });
  return child.pid;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export { sleep };

/** SIGTERM, wait up to `graceMs`, then SIGKILL; only if the pid is still ours. */
export async function terminate(pid: number, match: readonly string[], graceMs = 20_000): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isOurProcess(pid, match)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, match)) return 'stopped';
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  for (let i = 0; i < 50 && isOurProcess(pid, match); i++) await sleep(100);
  return 'killed';
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last `n` lines of a log file ('' when it does not exist). */
export function tail(file: string, n = 20): string {
  try {
    const stat = fs.statSync(file);
    const size = Math.min(stat.size, 64 * 1024);
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(size);
    fs.readSync(fd, buffer, 0, size, stat.size - size);
    fs.closeSync(fd);
    const lines = buffer.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
    log?.write(`\n===== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 1_000_000) output = output.slice(-500_000);
      log?.write(chunk);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : null;
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      log?.end();
      reject(new Error(`${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      log?.end();
      if (code === 0) resolve(output);
      else {
        const last = output.trim().split('\n').slice(-20).join('\n');
        reject(new Error(`\`${command} ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}):\n${last}`));
      }
    });
  });
}
