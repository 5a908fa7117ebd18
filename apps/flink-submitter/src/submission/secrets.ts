import type { FlinkPlan } from '@matih/contracts';
import { SubmissionError, SubmissionErrorCode } from './submission.errors';

/**
 * Secrets in a Flink plan: the statements name them as `${env:NAME}` placeholders, and `plan.secrets`
 * lists every NAME. The submitter replaces each placeholder with the value of NAME in its own
 * environment when it submits, escaped for a SQL string literal (placeholders belong inside quotes,
 * e.g. `'properties.sasl.jaas.config' = '… password="${env:KAFKA_PASSWORD}";'`) — the syntax
 * libs/planner writes (its `secretPlaceholder`). The resolved
 * statements are never logged, and the values are masked in any message that leaves the submitter.
 */
export const SECRET_PLACEHOLDER = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ResolvedScript {
  readonly setup: readonly string[];
  readonly job: string;
  /** the values substituted, to mask in messages */
  readonly values: readonly string[];
}

export function placeholdersIn(statement: string): string[] {
  return [...statement.matchAll(SECRET_PLACEHOLDER)].map((m) => m[1] as string);
}

/** Substitute the plan's secrets from `env`; every problem is reported at once, by name only. */
export function resolveSecrets(plan: Pick<FlinkPlan, 'setup' | 'job' | 'secrets'>, env: Readonly<Record<string, string | undefined>>): ResolvedScript {
  const declared = new Set(plan.secrets);
  const problems: string[] = [];
  const used = new Set([...plan.setup, plan.job].flatMap(placeholdersIn));
  for (const name of used) {
    if (!declared.has(name)) problems.push(`a statement uses \${env:${name}} but the plan's secrets do not list ${name}`);
  }
  for (const name of declared) {
    const value = env[name];
    if (value === undefined || value === '') problems.push(`${name} is not set in the flink-submitter's environment`);
    // as libs/planner's resolver: such a value cannot be written inside a JAAS configuration safely
    else if (/["\\]/.test(value)) problems.push(`the value of ${name} contains " or \\, which cannot be passed safely in a statement`);
  }
  if (problems.length > 0) throw new SubmissionError(SubmissionErrorCode.Secret, `the plan's secrets cannot be resolved: ${problems.join('; ')}`);
  const substitute = (statement: string) =>
    statement.replace(SECRET_PLACEHOLDER, (_match, name: string) => (env[name] as string).replace(/'/g, "''"));
  const values = [...declared].map((name) => env[name] as string);
  return { setup: plan.setup.map(substitute), job: substitute(plan.job), values };
}

/** Mask every secret value (raw and as escaped into SQL) in a text that may echo a statement. */
export function redact(text: string, values: readonly string[]): string {
  let out = text;
  const forms = values.flatMap((v) => [v, v.replace(/'/g, "''")]).filter((v) => v.length > 0);
  // longest first, so a value that contains another is masked whole
  for (const value of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(value).join('***');
  return out;
}
