import './instrument';
import { runService } from '@matih/service-host';
import { AppModule } from './app.module';
import { configSchema } from './config';

void runService({
  service: 'registry',
  configSchema,
  module: (config) => AppModule.forRoot(config),
  configure: (app) => {
    // definitions arrive as YAML text or as JSON
    app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: '2mb' });
    app.useBodyParser('json', { limit: '2mb' });
  },
});
