import type { FlinkPlan } from '@matih/contracts';
import { flinkString } from '@matih/sql';

/**
 * A Flink plan as one SQL script, as `matih compile` prints it and the SQL client would run it:
 * the session's SET statements, the setup statements, then the job's statement.
 */
export function renderFlinkScript(plan: FlinkPlan): string {
  const sets = Object.entries(plan.sessionProperties).map(([k, v]) => `SET ${flinkString(k)} = ${flinkString(v)}`);
  return [`-- ${plan.jobName}`, ...[...sets, ...plan.setup, plan.job].map((statement) => `${statement};`)].join('\n\n') + '\n';
}
