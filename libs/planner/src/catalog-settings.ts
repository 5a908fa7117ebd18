import path from 'node:path';
import { z } from 'zod';
import { localStackCatalogs, type CatalogMap } from './catalogs';

const catalogSchema = z.strictObject({
  type: z.literal('jdbc').default('jdbc'),
  uri: z.string().regex(/^jdbc:postgresql:\/\//, 'a jdbc:postgresql:// URL'),
  warehouse: z.string().min(1),
  user: z.string().min(1),
  /** the environment variable holding the password where jobs run (never the password itself) */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).nullable().default(null),
  properties: z.record(z.string(), z.string()).default({}),
});

/** `MATIH_ICEBERG_CATALOGS`: JSON map of catalog name → JDBC catalog settings; defaults to the local stack's `matih` and `analytics`. */
const catalogsSchema = z
  .string()
  .optional()
  .transform((text, ctx): CatalogMap | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: expected {"<catalog>": {"uri": "jdbc:postgresql://…", "warehouse": "…", "user": "…", "passwordEnv": "VAR"}}' });
      return z.NEVER;
    }
    const parsed = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), catalogSchema).safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return z.NEVER;
    }
    return Object.fromEntries(
      Object.entries(parsed.data).map(([name, c]) => [name, { type: c.type, uri: c.uri, warehouse: c.warehouse, user: c.user, password: c.passwordEnv ? { env: c.passwordEnv } : null, properties: c.properties }]),
    );
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
