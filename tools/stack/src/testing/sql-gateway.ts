/**
 * Minimal Flink SQL Gateway REST client for tests: open a session, run statements, page through
 * results, close. (The product's typed gateway client lives elsewhere.)
 */
import { stackEndpoints } from '../layout';

export interface GatewayResult {
  jobId: string | null;
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

interface ResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  jobID?: string;
  results?: { columns?: Array<{ name: string }>; data?: Array<{ kind: string; fields: unknown[] }> };
  nextResultUri?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GatewaySession {
  private constructor(
    private readonly baseUrl: string,
    readonly handle: string,
  ) {}

  static async open(properties: Record<string, string> = {}, baseUrl = stackEndpoints().flink.gatewayUrl): Promise<GatewaySession> {
    const body = (await request(baseUrl, 'POST', '/v2/sessions', { properties })) as { sessionHandle: string };
    return new GatewaySession(baseUrl, body.sessionHandle);
  }

  /** Submits a statement and returns its operation handle. */
  async submit(statement: string): Promise<string> {
    const body = (await request(this.baseUrl, 'POST', `/v2/sessions/${this.handle}/statements`, { statement })) as { operationHandle: string };
    return body.operationHandle;
  }

  async status(operation: string): Promise<string> {
    const body = (await request(this.baseUrl, 'GET', `/v2/sessions/${this.handle}/operations/${operation}/status`)) as { status: string };
    return body.status;
  }

  /**
   * Runs a statement and collects every result row until end of stream (for `INSERT` that is the
   * job id, returned as soon as the job is submitted; for a bounded query its rows).
   */
  async execute(statement: string, timeoutMs = 180_000): Promise<GatewayResult> {
    const operation = await this.submit(statement);
    const deadline = Date.now() + timeoutMs;
    const result: GatewayResult = { jobId: null, columns: [], rows: [] };
    let uri: string | undefined = `/v2/sessions/${this.handle}/operations/${operation}/result/0?rowFormat=JSON`;
    while (uri) {
      if (Date.now() > deadline) throw new Error(`statement did not finish within ${timeoutMs / 1000}s: ${statement}`);
      let page: ResultPage;
      try {
        page = (await request(this.baseUrl, 'GET', uri)) as ResultPage;
      } catch (error) {
        throw new Error(`statement failed: ${statement}\n${(error as Error).message}`);
      }
      if (page.jobID) result.jobId = page.jobID;
      const columns = page.results?.columns?.map((c) => c.name);
      if (columns && columns.length > 0) result.columns = columns;
      for (const row of page.results?.data ?? []) {
        if (row.kind !== 'INSERT' && row.kind !== 'UPDATE_AFTER') continue;
        result.rows.push(Object.fromEntries(result.columns.map((c, i) => [c, row.fields[i]])));
      }
      if (page.resultType === 'EOS') break;
      if (page.resultType === 'NOT_READY' || (page.results?.data ?? []).length === 0) await sleep(300);
      uri = page.nextResultUri ?? undefined;
      if (uri && !uri.includes('rowFormat')) uri += `${uri.includes('?') ? '&' : '?'}rowFormat=JSON`;
    }
    await request(this.baseUrl, 'DELETE', `/v2/sessions/${this.handle}/operations/${operation}/close`).catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await request(this.baseUrl, 'DELETE', `/v2/sessions/${this.handle}`).catch(() => undefined);
  }
}

async function request(baseUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      const parsed = JSON.parse(text) as { errors?: string[] };
      // the gateway puts a Java stack trace in errors[]: keep the causes, not the frames
      detail = (parsed.errors ?? [text])
        .join('\n')
        .split('\n')
        .filter((line) => !/^\s+at /.test(line) && !/^\s+\.\.\. \d+ more/.test(line))
        .slice(0, 40)
        .join('\n');
    } catch {
      // not JSON
    }
    throw new Error(`${method} ${path}: HTTP ${response.status}\n${detail}`);
  }
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** Cancels a job through the JobManager REST API (PATCH /jobs/:id?mode=cancel). */
export async function cancelJob(jobId: string, restUrl = stackEndpoints().flink.restUrl): Promise<void> {
  const response = await fetch(`${restUrl}/jobs/${jobId}?mode=cancel`, { method: 'PATCH', signal: AbortSignal.timeout(30_000) });
  if (!response.ok && response.status !== 404) throw new Error(`cancel job ${jobId}: HTTP ${response.status} ${await response.text()}`);
}

/** A job's state from the JobManager REST API (RUNNING, FINISHED, CANCELED, FAILED, …). */
export async function jobState(jobId: string, restUrl = stackEndpoints().flink.restUrl): Promise<string> {
  const response = await fetch(`${restUrl}/jobs/${jobId}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /jobs/${jobId}: HTTP ${response.status}`);
  return ((await response.json()) as { state: string }).state;
}
