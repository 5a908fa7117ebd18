import type { ControlPlane } from '@matih/control-plane';
import type { Envelope } from '@matih/contracts';
import { createEnvelope } from '@matih/contracts';
import { ServiceDirectory } from './services.service';

describe('ServiceDirectory', () => {
  function directory() {
    const handlers = new Map<string, (envelope: Envelope) => Promise<void>>();
    const controlPlane = { on: (type: string, handler: (e: Envelope) => Promise<void>) => handlers.set(type, handler) } as unknown as ControlPlane;
    const dir = new ServiceDirectory(
      controlPlane,
      { service: 'monitor', instanceId: 'monitor-1', release: '0.1.0', startedAt: new Date().toISOString() },
      { MONITOR_PING_INTERVAL_MS: 1_000 } as never,
    );
    const pong = (instanceId: string, service = 'compiler') =>
      handlers.get('service.pong')!(
        createEnvelope('service.pong', service, { service, instanceId, release: '0.1.0', startedAt: new Date().toISOString() }),
      );
    return { dir, pong };
  }

  it('lists each answering instance once, sorted, and marks it dead after three missed pings', async () => {
    const { dir, pong } = directory();
    await pong('compiler-b');
    await pong('compiler-a');
    await pong('compiler-a');
    await pong('registry-a', 'registry');
    const now = Date.now();
    expect(dir.list(now).map((i) => [i.instanceId, i.alive])).toEqual([
      ['compiler-a', true],
      ['compiler-b', true],
      ['registry-a', true],
    ]);
    expect(dir.list(now + 3_001).every((i) => !i.alive)).toBe(true);
  });
});
