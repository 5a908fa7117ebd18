import * as fs from 'node:fs';
import * as path from 'node:path';
import { layout, stackEndpoints, type StackLayout } from './layout';
import { isOurProcess, livePid, readPidFile, sleep, spawnDetached } from './process';

export interface TaskManagerRestart {
  readonly killedPid: number;
  readonly newPid: number;
}

/**
 * Kill the local stack's TaskManager hard (SIGKILL: a crash, not a shutdown) and start a new one in
 * its place, as `stack up` does; resolves once the JobManager counts the new one's slots. For tests
 * of failover: running jobs fail over and restore from their latest checkpoint.
 * @param downMs how long to leave the cluster without a TaskManager before restarting it
 */
export async function restartTaskManager(options: { downMs?: number; timeoutMs?: number } = {}): Promise<TaskManagerRestart> {
  const l = layout();
  const pidFile = path.join(l.run, 'taskmanager.pid');
  const record = readPidFile(pidFile);
  const pid = livePid(pidFile);
  if (record === null || pid === null) throw new Error(`no running TaskManager recorded in ${pidFile}: run \`matih stack up\` first`);
  const before = await registeredTaskManagers();
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isOurProcess(pid, record.match); i++) await sleep(100);
  if (isOurProcess(pid, record.match)) throw new Error(`TaskManager ${pid} did not die`);
  await sleep(options.downMs ?? 0);

  const newPid = spawnDetached({
    command: 'bash',
    args: [path.join(l.flink.home, 'bin', 'taskmanager.sh'), 'start-foreground'],
    cwd: l.flink.home,
    env: flinkEnv(l),
    logFile: l.flink.taskmanagerLog,
    pidFile,
    match: record.match,
  });
  // the new TaskManager registers under a new id; the dead one's is dropped on its heartbeat timeout
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const now = await registeredTaskManagers().catch(() => [] as string[]);
    if (now.some((id) => !before.includes(id))) break;
    if (Date.now() > deadline) throw new Error(`the restarted TaskManager (pid ${newPid}) did not register with the JobManager; see ${l.flink.taskmanagerLog}`);
    await sleep(500);
  }
  return { killedPid: pid, newPid };
}

async function registeredTaskManagers(): Promise<string[]> {
  const response = await fetch(`${stackEndpoints().flink.restUrl}/taskmanagers`, { signal: AbortSignal.timeout(3_000) });
  const body = (await response.json()) as { taskmanagers: { id: string }[] };
  return body.taskmanagers.map((t) => t.id);
}

/** The environment `stack up` gives Flink's scripts, with the JDK its config.yaml records. */
function flinkEnv(l: StackLayout): NodeJS.ProcessEnv {
  const config = fs.readFileSync(path.join(l.flink.conf, 'config.yaml'), 'utf8');
  const javaHome = /^env\.java\.home:\s*(\S+)/m.exec(config)?.[1] ?? process.env['JAVA_HOME'];
  return {
    ...process.env,
    ...(javaHome ? { JAVA_HOME: javaHome } : {}),
    FLINK_HOME: l.flink.home,
    FLINK_CONF_DIR: l.flink.conf,
    FLINK_LOG_DIR: l.flink.logDir,
    FLINK_PID_DIR: l.run,
  };
}
