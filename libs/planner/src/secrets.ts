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
