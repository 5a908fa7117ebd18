/** Injection tokens of what the service host provides to every app. */
export const SERVICE_INFO = Symbol('SERVICE_INFO');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface ServiceInfo {
  readonly service: string;
  readonly instanceId: string;
  readonly release: string;
  readonly startedAt: string;
}
