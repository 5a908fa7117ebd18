import { ExecutorError, ExecutorErrorCode } from '../errors';

export interface RegisteredSchema {
  id: number;
  /** AVRO (the registry's default when absent), PROTOBUF or JSON */
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  schema: string;
}

export interface SchemaRegistryOptions {
  url: string;
  username?: string | null;
  password?: string | null;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

/** A schema id the registry does not know: the record that carries it cannot be decoded. */
export class UnknownSchemaError extends Error {
  constructor(readonly id: number) {
    super(`schema id ${id} is not in the schema registry`);
    this.name = 'UnknownSchemaError';
  }
}

/**
 * A client of the Confluent Schema Registry REST API (`GET /schemas/ids/{id}`), which Confluent's
 * registry, Apicurio Registry (`/apis/ccompat/v7`), Karapace and Redpanda all serve. Schemas are
 * immutable per id, so they are cached forever.
 */
export class SchemaRegistryClient {
  private readonly cache = new Map<number, Promise<RegisteredSchema>>();
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SchemaRegistryOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (options.username) {
      this.headers['authorization'] = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
    }
  }

  schemaById(id: number): Promise<RegisteredSchema> {
    let pending = this.cache.get(id);
    if (!pending) {
      pending = this.fetchSchema(id);
      this.cache.set(id, pending);
      // a transient failure must not be cached; an unknown id is (ids never come back)
      pending.catch((e: unknown) => {
        if (!(e instanceof UnknownSchemaError)) this.cache.delete(id);
      });
    }
    return pending;
  }

  private async fetchSchema(id: number): Promise<RegisteredSchema> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/schemas/ids/${id}`, { headers: this.headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (e) {
      throw new ExecutorError(ExecutorErrorCode.SchemaRegistry, `schema registry ${this.base} is unreachable: ${(e as Error).message}`, { cause: e });
    }
    if (response.status === 404) throw new UnknownSchemaError(id);
    if (!response.ok) {
      throw new ExecutorError(ExecutorErrorCode.SchemaRegistry, `schema registry ${this.base} answered ${response.status} for schema id ${id}: ${(await response.text()).slice(0, 300)}`);
    }
    const body = (await response.json()) as { schema?: unknown; schemaType?: unknown };
    if (typeof body.schema !== 'string') throw new ExecutorError(ExecutorErrorCode.SchemaRegistry, `schema registry ${this.base} gave no schema for id ${id}`);
    const schemaType = body.schemaType === undefined ? 'AVRO' : body.schemaType;
    if (schemaType !== 'AVRO' && schemaType !== 'PROTOBUF' && schemaType !== 'JSON') {
      throw new ExecutorError(ExecutorErrorCode.SchemaRegistry, `schema id ${id} has an unsupported schema type ${String(schemaType)}`);
    }
    return { id, schemaType, schema: body.schema };
  }
}
