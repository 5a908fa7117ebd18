import { CommitConflictError, CommitStateUnknownError, IcebergError, IcebergErrorCode } from '../errors';
import { FileIO } from '../io/file-io';
import { parseJson, stringifyJson } from '../json';
import { CreateTableOptions, MetadataUpdate, TableRequirement, newTableMetadata, parseTableMetadata } from '../metadata';
import { TableIdentifier } from '../types';
import { Catalog, LoadedTable, identToString } from './catalog';

export interface RestCatalogOptions {
  /** The catalog's name in this process (logs, errors); the server does not know it. */
  name: string;
  /** Base URI of the REST catalog, e.g. `http://127.0.0.1:19181` (the `/v1/…` paths are appended). */
  uri: string;
  /** Sent as `?warehouse=` to `GET /v1/config`, for servers that serve several warehouses. */
  warehouse?: string;
  /** Where the table files go (S3FileIO for an object store). */
  io: FileIO;
  /** A bearer token for the catalog, when it wants one. */
  token?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** The HTTP client (tests may pass a fake; default: the global fetch). */
  fetch?: typeof fetch;
}

/** The `error` object of the REST protocol's ErrorModel. */
export interface RestErrorModel {
  message: string;
  type: string;
  code: number;
}

/** A request the catalog answered with an error (not a commit outcome: see commitTable). */
export class RestCatalogError extends IcebergError {
  constructor(
    code: IcebergErrorCode,
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Namespace levels as one path segment: joined by the unit separator (0x1F), then URL-encoded. */
export function namespacePath(namespace: string[]): string {
  return encodeURIComponent(namespace.join('\x1f'));
}

/** The JSON body of an error response, or a stand-in when the server sent none. */
export function parseErrorModel(status: number, text: string): RestErrorModel {
  try {
    const body = parseJson(text) as { error?: Partial<RestErrorModel> };
    if (body?.error?.message !== undefined) return { message: body.error.message, type: body.error.type ?? 'Unknown', code: body.error.code ?? status };
  } catch {
    // not JSON
  }
  return { message: text.trim().slice(0, 500) || `HTTP ${status}`, type: 'Unknown', code: status };
}

/** `LoadTableResult` (create, load, commit) → this library's loaded table. */
export function parseLoadTableResult(text: string): LoadedTable & { config: Record<string, string> } {
  const body = parseJson(text) as { 'metadata-location'?: string; metadata?: unknown; config?: Record<string, string> };
  if (!body.metadata || !body['metadata-location']) throw new Error('the REST catalog answered without metadata or metadata-location');
  return { metadata: parseTableMetadata(stringifyJson(body.metadata)), metadataLocation: body['metadata-location'], config: body.config ?? {} };
}

/** The `CreateTableRequest` body for table options: schema, spec and sort order as `newTableMetadata` builds them. */
export function createTableRequest(name: string, opts: CreateTableOptions): Record<string, unknown> {
  const m = newTableMetadata(opts.location ?? 'rest://server-assigned', opts);
  const body: Record<string, unknown> = {
    name,
    schema: m.schemas[0],
    'partition-spec': m['partition-specs'][0],
    'write-order': m['sort-orders'][0],
    properties: { 'format-version': '2', ...m.properties },
    'stage-create': false,
  };
  if (opts.location) body['location'] = opts.location;
  return body;
}

/** The `CommitTableRequest` body. */
export function commitTableRequest(ident: TableIdentifier, requirements: TableRequirement[], updates: MetadataUpdate[]): string {
  return stringifyJson({ identifier: { namespace: ident.namespace, name: ident.name }, requirements, updates });
}

/**
 * What a commit response means (the REST spec's commit errors, as Java's client reads them):
 * 409 the table moved on (nothing committed: retry on fresh state); 500/502/503/504 and no answer
 * at all: the commit may or may not have happened.
 */
export function commitOutcome(status: number): 'committed' | 'conflict' | 'unknown' | 'not-found' | 'failed' {
  if (status >= 200 && status < 300) return 'committed';
  if (status === 409) return 'conflict';
  if (status === 404) return 'not-found';
  if (status === 500 || status === 502 || status === 503 || status === 504) return 'unknown';
  return 'failed';
}

/**
 * A client of the Iceberg REST catalog protocol (`/v1/config`, namespaces, tables, commits). The
 * server owns the metadata files: a commit sends requirements and updates, and the server applies
 * them atomically or answers 409. Data files, manifests and manifest lists go through `io`.
 */
export class RestCatalog implements Catalog {
  readonly name: string;
  readonly io: FileIO;
  private readonly base: string;
  private prefix = '';
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly http: typeof fetch;
  private readonly warehouse: string | undefined;
  /** The server's merged `defaults` and `overrides` from `/v1/config`. */
  properties: Record<string, string> = {};

  constructor(opts: RestCatalogOptions) {
    this.name = opts.name;
    this.io = opts.io;
    this.base = opts.uri.replace(/\/+$/, '');
    this.warehouse = opts.warehouse;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.http = opts.fetch ?? fetch;
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  }

  /** `GET /v1/config`: the server's settings, including the path prefix of every other route. */
  async initialize(): Promise<void> {
    const query = this.warehouse ? `?warehouse=${encodeURIComponent(this.warehouse)}` : '';
    const { status, text } = await this.request('GET', `/v1/config${query}`);
    if (status !== 200) throw this.error(status, text, `GET ${this.base}/v1/config`);
    const cfg = parseJson(text) as { defaults?: Record<string, string>; overrides?: Record<string, string> };
    this.properties = { ...(cfg.defaults ?? {}), ...(cfg.overrides ?? {}) };
    const prefix = this.properties['prefix'];
    this.prefix = prefix ? `/${prefix.replace(/^\/+|\/+$/g, '')}` : '';
  }

  private path(...segments: string[]): string {
    return `/v1${this.prefix}/${segments.join('/')}`;
  }

  private tablePath(ident: TableIdentifier): string {
    return this.path('namespaces', namespacePath(ident.namespace), 'tables', encodeURIComponent(ident.name));
  }

  private async request(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    let response: Response;
    try {
      response = await this.http(`${this.base}${path}`, { method, headers: this.headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw Object.assign(new Error(`${method} ${this.base}${path}: ${(e as Error).message} (is the REST catalog ${this.name} at ${this.base} running?)`), {
        cause: e,
        unanswered: true,
      });
    }
    return { status: response.status, text: method === 'HEAD' ? '' : await response.text() };
  }

  private error(status: number, text: string, what: string): RestCatalogError {
    const e = parseErrorModel(status, text);
    const code =
      e.type === 'NoSuchTableException'
        ? IcebergErrorCode.TableNotFound
        : e.type === 'NoSuchNamespaceException'
          ? IcebergErrorCode.NamespaceNotFound
          : e.type === 'AlreadyExistsException'
            ? IcebergErrorCode.TableAlreadyExists
            : IcebergErrorCode.CatalogRequestFailed;
    return new RestCatalogError(code, status, e.type, `${what} (catalog ${this.name}): HTTP ${status} ${e.type}: ${e.message}`);
  }

  async createNamespace(namespace: string[], properties: Record<string, string> = {}): Promise<void> {
    const { status, text } = await this.request('POST', this.path('namespaces'), JSON.stringify({ namespace, properties }));
    if (status === 200 || status === 204 || status === 409) return; // 409: exists already, as the JDBC catalog ignores it
    throw this.error(status, text, `create namespace ${namespace.join('.')}`);
  }

  async namespaceExists(namespace: string[]): Promise<boolean> {
    const { status, text } = await this.request('HEAD', this.path('namespaces', namespacePath(namespace)));
    if (status === 200 || status === 204) return true;
    if (status === 404) return false;
    throw this.error(status, text, `namespace ${namespace.join('.')}`);
  }

  async listTables(namespace: string[]): Promise<TableIdentifier[]> {
    const out: TableIdentifier[] = [];
    let token: string | undefined;
    do {
      const query = token ? `?pageToken=${encodeURIComponent(token)}` : '';
      const { status, text } = await this.request('GET', this.path('namespaces', namespacePath(namespace), 'tables') + query);
      if (status !== 200) throw this.error(status, text, `list tables of ${namespace.join('.')}`);
      const body = JSON.parse(text) as { identifiers?: { namespace: string[]; name: string }[]; 'next-page-token'?: string | null };
      out.push(...(body.identifiers ?? []).map((i) => ({ namespace: i.namespace, name: i.name })));
      token = body['next-page-token'] ?? undefined;
    } while (token);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createTable(ident: TableIdentifier, opts: CreateTableOptions): Promise<LoadedTable> {
    const body = createTableRequest(ident.name, opts);
    const { status, text } = await this.request('POST', this.path('namespaces', namespacePath(ident.namespace), 'tables'), stringifyJson(body));
    if (status !== 200) throw this.error(status, text, `create table ${identToString(ident)}`);
    const { metadata, metadataLocation } = parseLoadTableResult(text);
    return { metadata, metadataLocation };
  }

  async loadTable(ident: TableIdentifier): Promise<LoadedTable> {
    const { status, text } = await this.request('GET', this.tablePath(ident));
    if (status !== 200) throw this.error(status, text, `load table ${identToString(ident)}`);
    const { metadata, metadataLocation } = parseLoadTableResult(text);
    return { metadata, metadataLocation };
  }

  async tableExists(ident: TableIdentifier): Promise<boolean> {
    const { status, text } = await this.request('HEAD', this.tablePath(ident));
    if (status === 200 || status === 204) return true;
    if (status === 404) return false;
    throw this.error(status, text, `table ${identToString(ident)}`);
  }

  /** Drops the table from the catalog without purging its files (as the JDBC catalog does). */
  async dropTable(ident: TableIdentifier): Promise<void> {
    const { status, text } = await this.request('DELETE', `${this.tablePath(ident)}?purgeRequested=false`);
    if (status === 200 || status === 204 || status === 404) return;
    throw this.error(status, text, `drop table ${identToString(ident)}`);
  }

  /**
   * `POST /v1/{prefix}/namespaces/{ns}/tables/{table}` with the requirements and updates; the server
   * checks the requirements against its current metadata and applies the updates atomically.
   * 409 → CommitConflictError (reload and re-apply). No answer or a 5xx → the table is read back: if
   * every snapshot this commit adds is there, the commit happened; otherwise CommitStateUnknownError.
   */
  async commitTable(ident: TableIdentifier, _base: LoadedTable, requirements: TableRequirement[], updates: MetadataUpdate[]): Promise<LoadedTable> {
    const what = `commit to ${identToString(ident)}`;
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.request('POST', this.tablePath(ident), commitTableRequest(ident, requirements, updates)));
    } catch (e) {
      return this.resolveUnknown(ident, updates, `${what}: ${(e as Error).message}`, e);
    }
    switch (commitOutcome(status)) {
      case 'committed': {
        const { metadata, metadataLocation } = parseLoadTableResult(text);
        return { metadata, metadataLocation };
      }
      case 'conflict':
        throw new CommitConflictError(`${what}: the table changed since it was loaded (${parseErrorModel(status, text).message})`);
      case 'unknown':
        return this.resolveUnknown(ident, updates, `${what}: HTTP ${status} ${parseErrorModel(status, text).message}`, undefined);
      default:
        throw this.error(status, text, what);
    }
  }

  private async resolveUnknown(ident: TableIdentifier, updates: MetadataUpdate[], message: string, cause: unknown): Promise<LoadedTable> {
    const added = updates.flatMap((u) => (u.action === 'add-snapshot' ? [u.snapshot['snapshot-id']] : []));
    if (added.length) {
      try {
        const now = await this.loadTable(ident);
        if (added.every((id) => now.metadata.snapshots.some((s) => s['snapshot-id'] === id))) return now;
      } catch {
        // cannot tell
      }
    }
    throw new CommitStateUnknownError(message, cause);
  }

  async close(): Promise<void> {
    (this.io as { close?: () => void }).close?.();
  }
}
