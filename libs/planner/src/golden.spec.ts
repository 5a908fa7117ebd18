import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { planSchema, type FlinkPlan } from '@matih/contracts';
import { compilePlan, type CompileTarget } from './compile';
import { renderFlinkScript } from './render';
import { GOLDEN_DEPLOYMENT_ID, GOLDEN_DIR, goldenCatalogs, goldenDefinitions } from './testing/golden';

/**
 * Golden plans: `__golden__/<name>.flink.sql` (the script `matih compile` prints) and
 * `<name>.microbatch.json`. `UPDATE_GOLDEN=1` rewrites them — review the diff.
 */
const TARGETS: CompileTarget[] = ['flink', 'microbatch'];

describe.each(goldenDefinitions())('golden plans of $name', ({ name, definition, sourceSchemas }) => {
  it.each(TARGETS)('%s', (target) => {
    const result = compilePlan(definition, { target, deploymentId: GOLDEN_DEPLOYMENT_ID, catalogs: goldenCatalogs(), sourceSchemas });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics, null, 2));
    expect(planSchema.safeParse(result.plan).success).toBe(true);
    const text = target === 'flink' ? renderFlinkScript(result.plan as FlinkPlan) : `${JSON.stringify(result.plan, null, 2)}\n`;
    const file = path.join(GOLDEN_DIR, `${name}.${target}.${target === 'flink' ? 'sql' : 'json'}`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});
