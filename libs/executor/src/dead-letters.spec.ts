import { budgetExceeded, deadLetterMessage, readDeadLetterHeaders, type DeadLetter } from './dead-letters';

const letter: DeadLetter = { topic: 'clicks', partition: 2, offset: '41', timestamp: '1717200000000', key: Buffer.from('k'), value: Buffer.from('{bad'), headers: { trace: 'abc' }, stage: 'decode', reason: 'value is not valid JSON' };

describe('dead letters', () => {
  it('keep the record byte for byte and its headers, and say pipeline, source offset and reason', () => {
    const m = deadLetterMessage(letter, { pipeline: 'clickstream', deploymentId: 'd-1', consumerGroup: 'g' });
    expect(m.key).toEqual(Buffer.from('k'));
    expect(m.value).toEqual(Buffer.from('{bad'));
    expect(m.timestamp).toBe('1717200000000');
    expect(m.headers?.['trace']).toBe('abc');
    expect(readDeadLetterHeaders(m.headers)).toEqual({
      pipeline: 'clickstream', deployment: 'd-1', consumerGroup: 'g', topic: 'clicks', partition: '2', offset: '41', timestamp: '1717200000000', stage: 'decode', reason: 'value is not valid JSON',
    });
  });

  it('truncate very long reasons', () => {
    const m = deadLetterMessage({ ...letter, reason: 'x'.repeat(5000) }, { pipeline: 'p', deploymentId: null, consumerGroup: 'g' });
    expect(String(m.headers?.['matih.error.reason']).length).toBe(2001);
    expect(m.headers?.['matih.deployment']).toBeUndefined();
  });
});

describe('error budget', () => {
  it('is the share of a batch that may fail; 0 fails on the first bad record', () => {
    expect(budgetExceeded(100, 0, 0)).toBeNull();
    expect(budgetExceeded(100, 1, 0)).toMatch(/1 of 100 records .*1\.00%.*budget of 0\.00%/);
    expect(budgetExceeded(100, 5, 0.05)).toBeNull();
    expect(budgetExceeded(100, 6, 0.05)).not.toBeNull();
    expect(budgetExceeded(3, 3, 1)).toBeNull();
  });
});
