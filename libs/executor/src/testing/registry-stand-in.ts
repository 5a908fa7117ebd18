import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process stand-in for the Confluent Schema Registry API — the two reads the project's
 * clients make: `GET /schemas/ids/{id}` (the executor's decoder, Flink's avro-confluent format) and
 * `GET /subjects/{subject}/versions/latest` (the compiler's schema lookup). No real registry can be
 * installed from the package registries this project reaches (Apicurio Registry's modules are only
 * partly on Maven Central; Confluent's registry and Karapace are not there at all), so tests use this.
 * Schemas are registered in-process; ids count from 1.
 */
export interface RegistryStandIn {
  url: string;
  /** requests served so far */
  readonly requests: number;
  /** registers a schema under a subject (a new version) and returns its id */
  register(subject: string, schema: string, schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON'): number;
  close(): Promise<void>;
}

/** `auth`: answer 401 to requests without these basic-auth credentials, as a secured registry does. */
export async function startRegistryStandIn(options: { auth?: { username: string; password: string } } = {}): Promise<RegistryStandIn> {
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : null;
  const byId = new Map<number, { schema: string; schemaType: 'AVRO' | 'PROTOBUF' | 'JSON' }>();
  const subjects = new Map<string, number[]>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(body));
    };
    if (expected !== null && req.headers.authorization !== expected) return send(401, { error_code: 401, message: 'Unauthorized' });
    const byIdMatch = /^\/schemas\/ids\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && byIdMatch) {
      const found = byId.get(Number(byIdMatch[1]));
      // the registry leaves schemaType out for Avro
      if (found) return send(200, found.schemaType === 'AVRO' ? { schema: found.schema } : found);
      return send(404, { error_code: 40403, message: 'Schema not found' });
    }
    const latest = /^\/subjects\/([^/]+)\/versions\/latest$/.exec(url.pathname);
    if (req.method === 'GET' && latest) {
      const subject = decodeURIComponent(latest[1] as string);
      const ids = subjects.get(subject);
      const id = ids?.[ids.length - 1];
      if (ids && id !== undefined) {
        const found = byId.get(id) as { schema: string; schemaType: string };
        return send(200, { subject, version: ids.length, id, schema: found.schema, ...(found.schemaType === 'AVRO' ? {} : { schemaType: found.schemaType }) });
      }
      return send(404, { error_code: 40401, message: `Subject '${subject}' not found.` });
    }
    send(404, { error_code: 404, message: `not served by the stand-in: ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    register(subject, schema, schemaType = 'AVRO') {
      const id = byId.size + 1;
      byId.set(id, { schema, schemaType });
      subjects.set(subject, [...(subjects.get(subject) ?? []), id]);
      return id;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A field of an avro record schema: a name, its avro type, and the default of an optional one. */
export interface AvroField {
  name: string;
  type: string | string[];
  default?: null;
}

/** The avro value schema the tests register: a `shop.v1.Click` record of `fields`. */
export function clickAvroSchema(fields: AvroField[]): { type: 'record'; name: 'Click'; namespace: 'shop.v1'; fields: AvroField[] } {
  return { type: 'record', name: 'Click', namespace: 'shop.v1', fields };
}
