import { S3FileIO } from '../io/s3-file-io';
import { RestCatalog } from './rest-catalog';

/** A secret by the environment variable that holds it where the job runs. */
export interface SecretRef {
  env: string;
}

/** Where a REST catalog lives and where its tables' files go: the shape of a plan's REST sink catalog. */
export interface RestCatalogConnection {
  type: 'rest';
  name: string;
  /** base URI, e.g. http://127.0.0.1:19181 */
  uri: string;
  warehouse: string;
  /** a bearer token for the catalog, by environment variable */
  token: SecretRef | null;
  s3: {
    endpoint: string | null;
    region: string;
    pathStyle: boolean;
    /** null: the AWS SDK's default credential chain */
    accessKeyId: SecretRef | null;
    secretAccessKey: SecretRef | null;
  };
  properties?: Record<string, string>;
}

function secret(ref: SecretRef | null, env: Readonly<Record<string, string | undefined>>, catalog: string, what: string): string | undefined {
  if (!ref) return undefined;
  const value = env[ref.env];
  if (value === undefined || value === '') throw new Error(`the Iceberg catalog ${catalog} needs its ${what} in the environment variable ${ref.env}, which is not set`);
  return value;
}

const open = new Map<string, Promise<RestCatalog>>();

/**
 * The REST catalog a plan names, with S3FileIO for its files, secrets read from `env`, and its
 * `/v1/config` fetched; one per process for each catalog and settings (callers share it: do not close it).
 */
export function openRestCatalog(config: RestCatalogConnection, env: Readonly<Record<string, string | undefined>> = process.env): Promise<RestCatalog> {
  let token: string | undefined;
  let accessKeyId: string | undefined;
  let secretAccessKey: string | undefined;
  try {
    token = secret(config.token, env, config.name, 'bearer token');
    accessKeyId = secret(config.s3.accessKeyId, env, config.name, 'S3 access key id');
    secretAccessKey = secret(config.s3.secretAccessKey, env, config.name, 'S3 secret access key');
  } catch (error) {
    return Promise.reject(error);
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    return Promise.reject(new Error(`the Iceberg catalog ${config.name} names only one of s3.accessKeyId and s3.secretAccessKey: name both, or neither (AWS's default credentials)`));
  }
  const key = JSON.stringify([config.name, config.uri, config.warehouse, config.s3, token ?? null, accessKeyId ?? null, secretAccessKey ?? null]);
  let catalog = open.get(key);
  if (!catalog) {
    const c = new RestCatalog({
      name: config.name,
      uri: config.uri,
      warehouse: config.warehouse,
      ...(token !== undefined ? { token } : {}),
      io: new S3FileIO({
        region: config.s3.region,
        pathStyle: config.s3.pathStyle,
        ...(config.s3.endpoint ? { endpoint: config.s3.endpoint } : {}),
        ...(accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : {}),
      }),
    });
    catalog = c.initialize().then(() => c);
    catalog.catch(() => open.delete(key));
    open.set(key, catalog);
  }
  return catalog;
}
