import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './config';

const schema = baseConfigSchema.extend({ PORT: z.coerce.number().int().min(1).max(65535).default(18101) });

describe('loadConfig', () => {
  it('fills the defaults of the local stack', () => {
    const config = loadConfig('compiler', schema, {});
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 18101, MATIH_KAFKA_BROKERS: ['127.0.0.1:19092'], LOG_LEVEL: 'info' });
  });

  it('parses a broker list', () => {
    expect(loadConfig('compiler', schema, { MATIH_KAFKA_BROKERS: 'a:1, b:2' }).MATIH_KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('reports every invalid variable at once, naming it and what it got', () => {
    let error: unknown;
    try {
      loadConfig('compiler', schema, { PORT: '70000', LOG_LEVEL: 'loud', MATIH_KAFKA_BROKERS: 'nohost' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT: .*\(got "70000"\)/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect(problems.join('\n')).toMatch(/MATIH_KAFKA_BROKERS.*host:port/);
    expect((error as Error).message).toMatch(/^compiler cannot start/);
  });
});
