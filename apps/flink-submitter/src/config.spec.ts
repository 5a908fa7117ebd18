import { loadConfig } from '@matih/service-host';
import { composeEnvironment } from '@matih/stack';
import { configSchema } from './config';

describe('flink-submitter configuration', () => {
  it('accepts the environment docker/compose.yaml gives it', () => {
    expect(() => loadConfig('flink-submitter', configSchema, composeEnvironment('flink-submitter', { REGISTRY_ADMIN_TOKEN: 'x'.repeat(32) }))).not.toThrow();
  });
});
