import path from 'node:path';
import { baseConfigSchema } from '@matih/service-host';
import { localStackCatalogs, type CatalogMap } from '@matih/planner';
import { z } from 'zod';

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

export const configSchema = baseConfigSchema
  .extend({
    PORT: z.coerce.number().int().min(1).max(65535).default(18101),
    MATIH_ICEBERG_CATALOGS: catalogsSchema.describe('Iceberg catalogs sinks may name, as JSON; default: the local stack'),
    MATIH_STACK_DIR: z.string().optional().describe('the local stack state folder (for the default catalogs)'),
  })
  .transform(({ MATIH_ICEBERG_CATALOGS, ...rest }) => ({
    ...rest,
    catalogs: MATIH_ICEBERG_CATALOGS ?? localStackCatalogs(path.resolve(rest.MATIH_STACK_DIR ?? path.join(process.cwd(), '.stack'))),
  }));

export type CompilerConfig = z.infer<typeof configSchema>;

export const COMPILER_CONFIG = Symbol('COMPILER_CONFIG');
