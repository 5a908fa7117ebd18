export { startService, waitFor, waitHealthy, WORKSPACE_ROOT, type RunningService } from './services';
