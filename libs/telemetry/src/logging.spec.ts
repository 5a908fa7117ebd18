import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from './logging';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('loggerOptions', () => {
  it('redacts secrets wherever the product nests them and keeps the rest', () => {
    const { stream, lines } = capture();
    const log = pino(loggerOptions('compiler', 'info'), stream);
    log.info({ connection: { sasl: { password: 'hunter2' }, bootstrap: 'k:9092' }, token: 'abc', user: { password: 'pw' } }, 'x');
    const [line] = lines();
    expect(JSON.stringify(line)).not.toMatch(/hunter2|abc|"pw"/);
    expect(line).toMatchObject({ service: 'compiler', connection: { bootstrap: 'k:9092', sasl: { password: '[redacted]' } }, token: '[redacted]' });
  });
});
