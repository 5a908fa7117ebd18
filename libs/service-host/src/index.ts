export { baseConfigSchema, loadConfig, ConfigError, type BaseConfig } from './config';
export { ServiceHostModule, type ServiceHostOptions } from './service-host.module';
export { runService, EXIT_CONFIG, type ServiceDefinition } from './bootstrap';
export { ROOT_LOGGER, SERVICE_INFO, type ServiceInfo } from './tokens';
export { Public, PUBLIC_ROUTE } from './public';
export { createMetricsRegistry, MetricsController, HttpMetricsMiddleware } from './metrics';
