import { FlinkError, FlinkErrorCode } from './errors';
import { flinkRequest, type HttpOptions } from './http';

export type OperationStatus = 'INITIALIZED' | 'PENDING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'CLOSED' | 'ERROR' | 'TIMEOUT';

interface Column {
  name: string;
  logicalType: { type: string; nullable: boolean };
}

/** One page of an operation's results, as the gateway returns it. */
export interface ResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  isQueryResult?: boolean;
  jobID?: string;
  resultKind?: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  results?: { columns?: Column[]; data?: { kind: string; fields: unknown[] }[] };
  nextResultUri?: string;
}

export interface StatementResult {
  /** the Flink job the statement started, for INSERT and streaming queries */
  readonly jobId: string | null;
  readonly columns: readonly string[];
  /** final rows (insert and update-after rows; retracted rows removed) */
  readonly rows: readonly Record<string, unknown>[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A typed client of the Flink SQL Gateway REST API (v2). */
export class SqlGatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpOptions = {},
  ) {}

  info(): Promise<{ productName: string; version: string }> {
    return flinkRequest(this.baseUrl, 'GET', '/v2/info', undefined, this.http);
  }

  /** Open a session; `properties` are Flink configuration (e.g. `execution.checkpointing.interval`). */
  async openSession(properties: Record<string, string> = {}, sessionName?: string): Promise<GatewaySession> {
    const { sessionHandle } = await flinkRequest<{ sessionHandle: string }>(
      this.baseUrl,
      'POST',
      '/v2/sessions',
      { properties, ...(sessionName ? { sessionName } : {}) },
      this.http,
    );
    return new GatewaySession(this.baseUrl, sessionHandle, this.http);
  }
}

export class GatewaySession {
  constructor(
    private readonly baseUrl: string,
    readonly handle: string,
    private readonly http: HttpOptions,
  ) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return flinkRequest<T>(this.baseUrl, method, `/v2/sessions/${this.handle}${path}`, body, this.http);
  }

  /** The session's effective configuration. */
  async properties(): Promise<Record<string, string>> {
    return (await this.call<{ properties: Record<string, string> }>('GET', '')).properties;
  }

  /** Keep the session alive (the gateway closes idle sessions). */
  async heartbeat(): Promise<void> {
    await this.call('POST', '/heartbeat', {});
  }

  /** Apply a statement to the session itself (SET, CREATE CATALOG, USE, CREATE TEMPORARY …). */
  async configure(statement: string): Promise<void> {
    await this.call('POST', '/configure-session', { statement });
  }

  async submit(statement: string, executionConfig: Record<string, string> = {}): Promise<string> {
    const body = Object.keys(executionConfig).length ? { statement, executionConfig } : { statement };
    return (await this.call<{ operationHandle: string }>('POST', '/statements', body)).operationHandle;
  }

  async status(operation: string): Promise<OperationStatus> {
    return (await this.call<{ status: OperationStatus }>('GET', `/operations/${operation}/status`)).status;
  }

  /** One page of an operation's results (`token` 0 first, then the page's `nextResultUri`), rows as JSON. */
  async fetchResults(operation: string, token = 0): Promise<ResultPage> {
    return this.call<ResultPage>('GET', `/operations/${operation}/result/${token}?rowFormat=JSON`);
  }

  async cancel(operation: string): Promise<void> {
    await this.call('POST', `/operations/${operation}/cancel`, {});
  }

  async closeOperation(operation: string): Promise<void> {
    await this.call('DELETE', `/operations/${operation}/close`).catch(() => undefined);
  }

  /**
   * Run one statement to its end: for DDL and bounded queries, their rows; for INSERT (and other
   * job-starting statements), as soon as Flink has accepted the job, its id. A failing statement
   * throws a FlinkError with Flink's message.
   */
  async execute(statement: string, options: { timeoutMs?: number; executionConfig?: Record<string, string> } = {}): Promise<StatementResult> {
    const operation = await this.submit(statement, options.executionConfig);
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    let jobId: string | null = null;
    let columns: string[] = [];
    const rows: Record<string, unknown>[] = [];
    let uri: string | undefined = `/v2/sessions/${this.handle}/operations/${operation}/result/0?rowFormat=JSON`;
    try {
      while (uri) {
        if (Date.now() > deadline) {
          await this.cancel(operation).catch(() => undefined);
          throw new FlinkError(FlinkErrorCode.Timeout, `statement did not finish within ${options.timeoutMs ?? 180_000} ms`, { request: statement });
        }
        let page: ResultPage;
        try {
          page = await flinkRequest<ResultPage>(this.baseUrl, 'GET', uri, undefined, this.http);
        } catch (error) {
          if (error instanceof FlinkError && error.code === FlinkErrorCode.Rejected) {
            throw new FlinkError(FlinkErrorCode.StatementFailed, error.message, { ...error.detail, request: statement });
          }
          throw error;
        }
        if (page.jobID) jobId = page.jobID;
        if (page.results?.columns?.length) columns = page.results.columns.map((c) => c.name);
        for (const row of page.results?.data ?? []) applyChange(rows, columns, row);
        if (page.resultType === 'EOS') break;
        // an INSERT answers with its job id and no rows to wait for
        if (jobId && page.isQueryResult === false) break;
        if (page.resultType === 'NOT_READY' || (page.results?.data ?? []).length === 0) await sleep(200);
        uri = page.nextResultUri ? withJsonRows(page.nextResultUri) : undefined;
      }
    } finally {
      if (!jobId) await this.closeOperation(operation);
    }
    return { jobId, columns, rows };
  }

  async close(): Promise<void> {
    await flinkRequest(this.baseUrl, 'DELETE', `/v2/sessions/${this.handle}`, undefined, this.http).catch(() => undefined);
  }
}

function withJsonRows(uri: string): string {
  return uri.includes('rowFormat=') ? uri : `${uri}${uri.includes('?') ? '&' : '?'}rowFormat=JSON`;
}

function applyChange(rows: Record<string, unknown>[], columns: readonly string[], change: { kind: string; fields: unknown[] }): void {
  const row = Object.fromEntries(columns.map((c, i) => [c, change.fields[i]]));
  if (change.kind === 'INSERT' || change.kind === 'UPDATE_AFTER') {
    rows.push(row);
    return;
  }
  // UPDATE_BEFORE / DELETE retract an earlier row
  const key = JSON.stringify(row);
  const index = rows.findIndex((r) => JSON.stringify(r) === key);
  if (index >= 0) rows.splice(index, 1);
}
