import { maskSecrets, resolvePlanSecrets } from './secrets';

describe('secrets in a Flink plan', () => {
  const plan = {
    setup: [`CREATE TEMPORARY TABLE src (v STRING) WITH ('properties.sasl.jaas.config' = 'x username="matih" password="\${env:KAFKA_PASSWORD}";')`],
    job: 'INSERT INTO s SELECT v FROM src',
    secrets: ['KAFKA_PASSWORD'],
  };

  it('replaces ${env:NAME} with the value from the environment, escaped for a SQL literal', () => {
    const resolved = resolvePlanSecrets(plan, { KAFKA_PASSWORD: "it's-secret" });
    expect(resolved.setup[0]).toContain(`password="it''s-secret";'`);
    expect(resolved.setup[0]).not.toContain('${env:');
    expect(resolved.job).toBe(plan.job);
    expect(resolved.values).toEqual(["it's-secret"]);
  });

  it('names (never shows) every missing or undeclared secret', () => {
    const withUndeclared = { ...plan, job: "INSERT INTO s SELECT '${env:OTHER}' FROM src" };
    expect(() => resolvePlanSecrets(withUndeclared, {}, "the flink-submitter's environment")).toThrow(
      /\$\{env:OTHER\} but the plan's secrets do not list OTHER; KAFKA_PASSWORD is not set in the flink-submitter's environment/,
    );
  });

  it('refuses a value that could break out of a JAAS string', () => {
    expect(() => resolvePlanSecrets(plan, { KAFKA_PASSWORD: 'a"b' })).toThrow(/the value of KAFKA_PASSWORD contains " or \\/);
  });

  it('masks the values, raw or escaped, in messages that may echo a statement', () => {
    expect(maskSecrets(`near 'password="it''s-secret"' and it's-secret`, ["it's-secret"])).toBe(`near 'password="***"' and ***`);
    expect(maskSecrets('nothing to hide', [])).toBe('nothing to hide');
  });
});
