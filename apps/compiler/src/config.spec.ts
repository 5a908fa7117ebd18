import { loadConfig } from '@matih/service-host';
import { composeEnvironment } from '@matih/stack';
import { configSchema } from './config';

describe('compiler configuration', () => {
  it('accepts the environment docker/compose.yaml gives it', () => {
    expect(() => loadConfig('compiler', configSchema, composeEnvironment('compiler', { REGISTRY_ADMIN_TOKEN: 'x'.repeat(32) }))).not.toThrow();
  });
});
