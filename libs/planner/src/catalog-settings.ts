import path from 'node:path';
import { z } from 'zod';
import { localStackCatalogs, type CatalogMap, type IcebergCatalogConfig } from './catalogs';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

const jdbcCatalogSchema = z.strictObject({
  type: z.literal('jdbc'),
  uri: z.string().regex(/^jdbc:postgresql:\/\//, 'a jdbc:postgresql:// URL'),
  warehouse: z.string().min(1),
  user: z.string().min(1),
  /** the environment variable holding the password where jobs run (never the password itself) */
  passwordEnv: envName.nullable().default(null),
  properties: z.record(z.string(), z.string()).default({}),
});

/** An Iceberg REST catalog whose tables live on S3-compatible storage; secrets by environment variable. */
const restCatalogSchema = z.strictObject({
  type: z.literal('rest'),
  uri: z.string().regex(/^https?:\/\/\S+$/, 'an http(s):// URL'),
  warehouse: z.string().min(1),
  /** the environment variable holding the catalog's bearer token, if it wants one */
  tokenEnv: envName.nullable().default(null),
  s3: z.strictObject({
    /** an S3-compatible server (http://host:port); omit for AWS */
    endpoint: z.string().regex(/^https?:\/\//, 'an http(s):// URL').nullable().default(null),
    region: z.string().min(1),
    pathStyle: z.boolean().default(true),
    /** the environment variables holding the keys; both null: the AWS SDK's default credentials */
    accessKeyIdEnv: envName.nullable().default(null),
    secretAccessKeyEnv: envName.nullable().default(null),
  }),
  properties: z.record(z.string(), z.string()).default({}),
});

/** `type` defaults to `jdbc`, as before REST catalogs were known. */
const catalogSchema = z.preprocess(
  (value) => (value && typeof value === 'object' && !('type' in value) ? { ...value, type: 'jdbc' } : value),
  z.discriminatedUnion('type', [jdbcCatalogSchema, restCatalogSchema]),
);

const envRef = (name: string | null) => (name ? { env: name } : null);

function toConfig(c: z.infer<typeof catalogSchema>): IcebergCatalogConfig {
  if (c.type === 'rest') {
    const { endpoint, region, pathStyle, accessKeyIdEnv, secretAccessKeyEnv } = c.s3;
    return {
      type: 'rest',
      uri: c.uri,
      warehouse: c.warehouse,
      token: envRef(c.tokenEnv),
      s3: { endpoint, region, pathStyle, accessKeyId: envRef(accessKeyIdEnv), secretAccessKey: envRef(secretAccessKeyEnv) },
      properties: c.properties,
    };
  }
  return { type: c.type, uri: c.uri, warehouse: c.warehouse, user: c.user, password: envRef(c.passwordEnv), properties: c.properties };
}

/**
 * `MATIH_ICEBERG_CATALOGS`: JSON map of catalog name → catalog settings, JDBC
 * (`{"uri": "jdbc:postgresql://…", "warehouse", "user", "passwordEnv"}`) or REST
 * (`{"type": "rest", "uri": "http://…", "warehouse": "s3://…", "s3": {"endpoint", "region", "accessKeyIdEnv", "secretAccessKeyEnv"}}`);
 * defaults to the local stack's `matih` and `analytics`.
 */
const catalogsSchema = z
  .string()
  .optional()
  .transform((text, ctx): CatalogMap | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message:
          'not JSON: expected {"<catalog>": {"uri": "jdbc:postgresql://…", "warehouse": "…", "user": "…", "passwordEnv": "VAR"}} or {"<catalog>": {"type": "rest", "uri": "http://…", "warehouse": "s3://…", "s3": {"endpoint": "http://…", "region": "…", "accessKeyIdEnv": "VAR", "secretAccessKeyEnv": "VAR"}}}',
      });
      return z.NEVER;
    }
    const parsed = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), catalogSchema).safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return z.NEVER;
    }
    return Object.fromEntries(Object.entries(parsed.data).map(([name, c]) => [name, toConfig(c)]));
  });

/**
 * The settings of a service that compiles plans (the compiler; the registry's plan preview):
 * `MATIH_ICEBERG_CATALOGS` (JSON) and, for the default catalogs, `MATIH_STACK_DIR`.
 */
export const catalogSettings = {
  MATIH_ICEBERG_CATALOGS: catalogsSchema.describe('Iceberg catalogs sinks may name, as JSON; default: the local stack'),
  MATIH_STACK_DIR: z.string().optional().describe('the local stack state folder (for the default catalogs)'),
};

/** Resolve the catalog settings into the catalogs plans may name. */
export function withCatalogs<T extends { MATIH_ICEBERG_CATALOGS: CatalogMap | undefined; MATIH_STACK_DIR?: string | undefined }>({ MATIH_ICEBERG_CATALOGS, ...rest }: T) {
  return {
    ...rest,
    catalogs: MATIH_ICEBERG_CATALOGS ?? localStackCatalogs(path.resolve(rest.MATIH_STACK_DIR ?? path.join(process.cwd(), '.stack'))),
  };
}
