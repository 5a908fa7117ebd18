import { murmur3Bytes, murmur3Long, murmur3String } from './murmur3';
import { applyTransform, bucket, hashValue, transformResultType } from './transforms';
import { decimalToBytes, fromBytes, parseDecimal, toBytes, truncateUpperString, uuidToBytes } from './values';

describe('Murmur3 and bucket: the spec appendix B test vectors', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
  it.each([
    ['int 34', () => hashValue('int', 34), 2017239379],
    ['long 34', () => hashValue('long', 34n), 2017239379],
    ['decimal 14.20', () => hashValue('decimal(9,2)', parseDecimal('14.20', 2)), -500754589],
    ['date 2017-11-16', () => hashValue('date', day('2017-11-16')), -653330422],
    ['time 22:31:08', () => hashValue('time', BigInt(22 * 3600 + 31 * 60 + 8) * 1_000_000n), -662762989],
    ['timestamp 2017-11-16T22:31:08', () => hashValue('timestamp', BigInt(Date.parse('2017-11-16T22:31:08Z')) * 1000n), -2047944441],
    ['timestamptz 2017-11-16T14:31:08-08:00', () => hashValue('timestamptz', BigInt(Date.parse('2017-11-16T14:31:08-08:00')) * 1000n), -2047944441],
    ['string iceberg', () => hashValue('string', 'iceberg'), 1210000089],
    ['uuid', () => hashValue('uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'), 1488055340],
    ['fixed 00010203', () => hashValue('fixed[4]', Uint8Array.from([0, 1, 2, 3])), -188683207],
    ['binary 00010203', () => hashValue('binary', Uint8Array.from([0, 1, 2, 3])), -188683207],
  ])('%s', (_name, hash, expected) => {
    expect(hash()).toBe(expected);
  });

  it('hashes strings as their UTF-8 bytes, whatever the tail length', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'héllo wörld ✓']) {
      expect(murmur3String(s)).toBe(murmur3Bytes(Buffer.from(s, 'utf8')));
    }
    expect(murmur3Long(34)).toBe(murmur3Long(34n));
  });

  it('buckets with (hash & Integer.MAX_VALUE) % N', () => {
    expect(bucket('int', 34, 100)).toBe(2017239379 % 100);
    expect(bucket('string', 'iceberg', 16)).toBe(1210000089 % 16);
    expect(bucket('decimal(9,2)', 1420n, 10)).toBe((-500754589 & 0x7fffffff) % 10);
  });
});

describe('partition transforms', () => {
  const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  it('year, month, day, hour are ordinals since the epoch, also before it', () => {
    expect(applyTransform('year', 'timestamp', us('2024-03-01T10:00:00Z'))).toBe(54);
    expect(applyTransform('month', 'timestamp', us('2024-03-01T10:00:00Z'))).toBe(54 * 12 + 2);
    expect(applyTransform('day', 'timestamptz', us('1970-01-02T00:00:00Z'))).toBe(1);
    expect(applyTransform('hour', 'timestamp', us('1970-01-01T05:59:59Z'))).toBe(5);
    expect(applyTransform('day', 'timestamp', us('1969-12-31T23:59:59Z'))).toBe(-1);
    expect(applyTransform('hour', 'timestamp', us('1969-12-31T23:30:00Z'))).toBe(-1);
    expect(applyTransform('year', 'date', -1)).toBe(-1);
    expect(applyTransform('month', 'date', 31)).toBe(1);
  });

  it('truncate follows the spec examples', () => {
    expect(applyTransform('truncate[10]', 'int', 1)).toBe(0);
    expect(applyTransform('truncate[10]', 'int', -1)).toBe(-10);
    expect(applyTransform('truncate[10]', 'long', -1n)).toBe(-10n);
    expect(applyTransform('truncate[50]', 'decimal(9,2)', parseDecimal('10.65', 2))).toBe(parseDecimal('10.50', 2));
    expect(applyTransform('truncate[3]', 'string', 'iceberg')).toBe('ice');
    expect(applyTransform('truncate[2]', 'string', '😀😁😂')).toBe('😀😁');
  });

  it('nulls stay null and void is always null', () => {
    expect(applyTransform('bucket[4]', 'long', null)).toBeNull();
    expect(applyTransform('void', 'long', 5n)).toBeNull();
  });

  it('result types, and transforms a type does not allow', () => {
    expect(transformResultType('day', 'timestamptz')).toBe('date');
    expect(transformResultType('bucket[8]', 'string')).toBe('int');
    expect(transformResultType('truncate[4]', 'string')).toBe('string');
    expect(() => transformResultType('hour', 'date')).toThrow();
    expect(() => transformResultType('bucket[2]', 'double')).toThrow();
  });
});

describe('single-value serialization (spec appendix D)', () => {
  it('encodes each type as the spec says', () => {
    expect(toBytes('int', 1).toString('hex')).toBe('01000000');
    expect(toBytes('long', -2n).toString('hex')).toBe('feffffffffffffff');
    expect(toBytes('boolean', true).toString('hex')).toBe('01');
    expect(toBytes('double', 1).toString('hex')).toBe('000000000000f03f');
    expect(toBytes('float', 1).toString('hex')).toBe('0000803f');
    expect(toBytes('string', 'é').toString('hex')).toBe('c3a9');
    expect(toBytes('uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7').toString('hex')).toBe('f79c3e09677c4bbda4793f349cb785e7');
    expect(decimalToBytes(1420n).toString('hex')).toBe('058c');
    expect(decimalToBytes(-1n).toString('hex')).toBe('ff');
    expect(decimalToBytes(128n).toString('hex')).toBe('0080');
    expect(decimalToBytes(-129n).toString('hex')).toBe('ff7f');
    expect(uuidToBytes('00000000-0000-0000-0000-000000000001').at(-1)).toBe(1);
  });

  it('round-trips', () => {
    const cases: [Parameters<typeof toBytes>[0], Parameters<typeof toBytes>[1]][] = [
      ['int', -5],
      ['long', 2n ** 62n],
      ['date', 19723],
      ['timestamptz', 1_700_000_000_000_000n],
      ['decimal(38,10)', -(10n ** 30n) + 7n],
      ['string', 'naïve ✓'],
      ['double', -0.25],
      ['binary', Uint8Array.from([9, 8, 7])],
    ];
    for (const [t, v] of cases) expect(fromBytes(t, toBytes(t, v))).toEqual(v);
  });

  it('truncated upper bounds stay above every value', () => {
    expect(truncateUpperString('abcdef', 3)).toBe('abd');
    expect(truncateUpperString('ab', 3)).toBe('ab');
    const top = String.fromCodePoint(0x10ffff);
    expect(truncateUpperString(`a${top}${top}`, 2)).toBe('b');
    expect(truncateUpperString(`${top}${top}${top}`, 2)).toBeUndefined();
  });
});
