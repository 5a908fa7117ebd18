import { createEnvelope, decodeEnvelope } from './envelope';
import { TOPICS } from './topics';

const ping = () => createEnvelope('service.ping', 'compiler', { target: 'compiler', from: 'monitor' });

describe('control envelope', () => {
  it('round-trips a typed message through its topic', () => {
    const sent = ping();
    const decoded = decodeEnvelope(TOPICS.serviceCommands, JSON.stringify(sent));
    expect(decoded).toEqual({ ok: true, envelope: sent });
    expect(sent).toMatchObject({ type: 'service.ping', version: 1, key: 'compiler', correlationId: sent.id, causationId: null });
  });

  it('carries correlation on to the message it causes', () => {
    const command = ping();
    const answer = createEnvelope(
      'service.pong',
      'compiler',
      { service: 'compiler', instanceId: 'compiler-1', release: '0.1.0', startedAt: new Date().toISOString() },
      { causedBy: command },
    );
    expect(answer.correlationId).toBe(command.correlationId);
    expect(answer.causationId).toBe(command.id);
  });

  it('refuses to build a message whose payload breaks its contract', () => {
    expect(() => createEnvelope('service.ping', 'x', { target: 'Not A Service', from: 'monitor' })).toThrow(/kebab-case/);
  });

  it.each([
    ['an empty value', null, /empty/],
    ['junk bytes', Buffer.from([0xff, 0x00, 0x13]), /not JSON/],
    ['JSON that is no envelope', '{"hello":1}', /not a control envelope: .*id/],
    ['an unknown type', JSON.stringify({ ...ping(), type: 'service.explode' }), /unknown message type "service.explode"/],
    ['a message on the wrong topic', JSON.stringify(ping()), /belongs on matih.service.commands.v1, not matih.service.events.v1/, TOPICS.serviceEvents],
    ['an unsupported version', JSON.stringify({ ...ping(), version: 2 }), /version 2 is not supported \(expected 1\)/],
    ['a payload with a wrong field', JSON.stringify({ ...ping(), payload: { target: 'compiler', from: 7 } }), /invalid "service.ping" payload: payload.from/],
    ['a payload with an unknown field', JSON.stringify({ ...ping(), payload: { target: 'compiler', from: 'monitor', extra: 1 } }), /payload: .*extra/],
  ] as [string, string | Buffer | null, RegExp, string?][])('rejects %s with a reason', (_name, raw, reason, topic = TOPICS.serviceCommands) => {
    const decoded = decodeEnvelope(topic, raw as string | Buffer | null);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });

  it('names the message of a sound envelope with a bad payload, so a command can be answered', () => {
    const command = ping();
    const decoded = decodeEnvelope(TOPICS.serviceCommands, JSON.stringify({ ...command, payload: {} }));
    expect(!decoded.ok && decoded.envelope).toEqual({ id: command.id, type: 'service.ping', correlationId: command.id, key: 'compiler' });
  });
});
