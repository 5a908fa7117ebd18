import './instrument';
import { runService } from '@matih/service-host';
import { AppModule } from './app.module';
import { configSchema } from './config';

void runService({ service: 'monitor', configSchema, module: (config) => AppModule.forRoot(config) });
