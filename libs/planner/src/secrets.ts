/**
 * Secrets are never written into a plan. Where a Flink statement needs one (a SASL password inside
 * `properties.sasl.jaas.config`, a catalog's JDBC password, an SSL key password) the plan holds the
 * placeholder `${env:NAME}`, and `plan.secrets` lists every NAME. Whoever runs the plan resolves the
 * placeholders from its own environment just before submitting: `resolveSecretPlaceholders`.
 */
export const secretPlaceholder = (env: string): string => `\${env:${env}}`;

const PLACEHOLDER = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the environment variables a text refers to through `${env:NAME}`. */
export function secretNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Replaces `${env:NAME}` with the variable's value, escaped for the Flink SQL string literal the
 * placeholder sits in (`'` doubled). A value with `"` or `\` is refused: it could not be written
 * inside a JAAS configuration safely. Throws naming every missing variable.
 */
export function resolveSecretPlaceholders(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const missing = secretNames(text).filter((name) => env[name] === undefined);
  if (missing.length > 0) throw new Error(`the plan needs the environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = env[name] as string;
    if (/["\\]/.test(value)) throw new Error(`the value of ${name} contains " or \\, which cannot be passed safely`);
    return value.replace(/'/g, "''");
  });
}

/** A Flink plan's statements with their secrets substituted, and the values to mask in messages. */
export interface ResolvedStatements {
  readonly setup: readonly string[];
  readonly job: string;
  /** the values substituted: mask them (`maskSecrets`) in any message that may echo a statement */
  readonly values: readonly string[];
}

/**
 * Resolves a Flink plan's `${env:NAME}` placeholders for whoever submits it. Every problem is reported
 * at once, by name only: a placeholder the plan's `secrets` do not declare, a declared secret unset
 * (or empty) in `env`, a value that cannot be written inside a statement safely.
 */
export function resolvePlanSecrets(
  plan: { readonly setup: readonly string[]; readonly job: string; readonly secrets: readonly string[] },
  env: Readonly<Record<string, string | undefined>>,
  where = 'the environment',
): ResolvedStatements {
  const declared = new Set(plan.secrets);
  const problems: string[] = [];
  for (const name of secretNames([...plan.setup, plan.job].join('\n'))) {
    if (!declared.has(name)) problems.push(`a statement uses \${env:${name}} but the plan's secrets do not list ${name}`);
  }
  for (const name of declared) {
    const value = env[name];
    if (value === undefined || value === '') problems.push(`${name} is not set in ${where}`);
    else if (/["\\]/.test(value)) problems.push(`the value of ${name} contains " or \\, which cannot be passed safely in a statement`);
  }
  if (problems.length > 0) throw new Error(`the plan's secrets cannot be resolved: ${problems.join('; ')}`);
  const resolve = (statement: string) => resolveSecretPlaceholders(statement, env);
  return { setup: plan.setup.map(resolve), job: resolve(plan.job), values: [...declared].map((name) => env[name] as string) };
}

/** Masks every secret value, raw or as escaped into a SQL literal, in a text that may echo a statement. */
export function maskSecrets(text: string, values: readonly string[]): string {
  let out = text;
  const forms = values.flatMap((v) => [v, v.replace(/'/g, "''")]).filter((v) => v.length > 0);
  // longest first, so a value that contains another is masked whole
  for (const value of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(value).join('***');
  return out;
}
