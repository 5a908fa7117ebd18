/**
 * JSON with 64-bit integers: snapshot ids written by Java are random 63-bit longs, which JSON.parse
 * would round. Integer literals that are not safe JS integers are parsed to bigint; bigints are
 * written back as plain JSON numbers.
 */
const BIG = '@@iceberg-bigint@@:';

export function parseJson(text: string): unknown {
  // Strings are matched first and kept; integer literals of 16+ digits outside strings are quoted.
  const quoted = text.replace(/"(?:[^"\\]|\\.)*"|(-?\d{16,})(?![.\deE])/g, (m, digits: string | undefined) =>
    digits === undefined ? m : `"${BIG}${digits}"`,
  );
  return JSON.parse(quoted, (_k, v: unknown) => {
    if (typeof v === 'string' && v.startsWith(BIG)) {
      const b = BigInt(v.slice(BIG.length));
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    return v;
  });
}

export function stringifyJson(value: unknown, space?: number): string {
  const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v.toString()}` : v), space);
  return s.replace(/"@@iceberg-bigint@@:(-?\d+)"/g, '$1');
}
