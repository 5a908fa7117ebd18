import { loadConfig } from '@matih/service-host';
import { composeEnvironment } from '@matih/stack';
import { configSchema } from './config';

describe('registry configuration', () => {
  it('accepts the environment docker/compose.yaml gives it', () => {
    expect(() => loadConfig('registry', configSchema, composeEnvironment('registry', { REGISTRY_ADMIN_TOKEN: 'x'.repeat(32) }))).not.toThrow();
  });
});
