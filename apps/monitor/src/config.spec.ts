import { loadConfig } from '@matih/service-host';
import { composeEnvironment } from '@matih/stack';
import { configSchema } from './config';

describe('monitor configuration', () => {
  it('accepts the environment docker/compose.yaml gives it', () => {
    expect(() => loadConfig('monitor', configSchema, composeEnvironment('monitor', { REGISTRY_ADMIN_TOKEN: 'x'.repeat(32) }))).not.toThrow();
  });
});
