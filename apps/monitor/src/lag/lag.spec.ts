import fc from 'fast-check';
import { EndOffsetHistory, recordsBehind, topicLag } from './lag';

describe('consumer lag', () => {
  it('is end minus committed, never negative, unknown without a position', () => {
    expect(recordsBehind(120n, 100n)).toBe(20);
    expect(recordsBehind(100n, 100n)).toBe(0);
    expect(recordsBehind(90n, 100n)).toBe(0);
    expect(recordsBehind(100n, null)).toBeNull();
  });

  it('sums partitions with a position and reports the worst seconds behind', () => {
    const history = new EndOffsetHistory();
    history.record(0, 0n);
    history.record(10_000, 100n);
    const lag = topicLag('t', 'g', new Map([[0, 100n], [1, 50n], [2, 7n]]), new Map([[0, 50n], [1, 50n], [2, null]]), (p) => (p === 0 ? history : undefined), 20_000);
    expect(lag.partitions.map((p) => [p.partition, p.records])).toEqual([[0, 50], [1, 0], [2, null]]);
    expect(lag.records).toBe(50);
    // offset 50 was written at ~5.1 s (linear between 0 @ 0 s and 100 @ 10 s), 20 s is now
    expect(lag.seconds).toBeCloseTo(14.9, 1);
    expect(lag.partitions[1]!.seconds).toBe(0);
  });

  it('dates a record by when the end offset passed it, bounded by the oldest sample', () => {
    const h = new EndOffsetHistory();
    h.record(1_000, 10n);
    h.record(2_000, 10n);
    h.record(3_000, 10n); // idle: the end was still 10 at 3 s
    h.record(4_000, 20n);
    expect(h.secondsBehind(20n, 5_000)).toBe(0);
    // offset 10 was written after 3 s (the last time the end was still 10) and by 4 s
    expect(h.secondsBehind(10n, 5_000)).toBeCloseTo(1.9, 5);
    expect(h.secondsBehind(19n, 5_000)).toBeCloseTo(1, 5);
    // older than the history: at least its age
    expect(h.secondsBehind(3n, 5_000)).toBe(4);
  });

  it('never reports negative seconds, and more lag is never younger', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 30 }), fc.nat(1_000), (steps, extra) => {
        const h = new EndOffsetHistory();
        let end = 0n;
        steps.forEach((step, i) => {
          end += BigInt(step);
          h.record(i * 1_000, end);
        });
        const now = steps.length * 1_000 + extra;
        let previous = Infinity;
        for (let o = 0n; o <= end; o += 1n) {
          const s = h.secondsBehind(o, now)!;
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(previous + 1e-9);
          previous = s;
        }
      }),
    );
  });
});
