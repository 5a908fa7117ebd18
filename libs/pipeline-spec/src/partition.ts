import type { PartitionField, PartitionTransform } from './definition';
import { closest } from './suggest';

const COLUMN = '([A-Za-z_][A-Za-z0-9_]*)';
const UNARY = new RegExp(`^(identity|year|month|day|hour)\\(\\s*${COLUMN}\\s*\\)$`);
const WIDTH = new RegExp(`^(bucket|truncate)\\(\\s*(\\d{1,7})\\s*,\\s*${COLUMN}\\s*\\)$`);
const BARE = new RegExp(`^${COLUMN}$`);

const SUFFIX: Record<PartitionTransform, string> = { identity: '', year: '_year', month: '_month', day: '_day', hour: '_hour', bucket: '_bucket', truncate: '_trunc' };

export function partitionField(transform: PartitionTransform, column: string, width: number | null = null): PartitionField {
  return { transform, source_column: column, width, name: `${column}${SUFFIX[transform]}` };
}

export type ParsedPartition = { kind: 'field'; field: PartitionField; bare: boolean } | { kind: 'error'; message: string; hint: string };

const HINT = 'write `col`, `identity(col)`, `year(col)`, `month(col)`, `day(col)`, `hour(col)`, `bucket(16, col)` or `truncate(4, col)`';

/** Parses one `partition_by` entry. A bare name is an identity partition (the `date` shorthand is resolved by the caller). */
export function parsePartition(text: string): ParsedPartition {
  const s = text.trim();
  const bare = BARE.exec(s);
  if (bare !== null) return { kind: 'field', field: partitionField('identity', bare[1] as string), bare: true };
  const unary = UNARY.exec(s);
  if (unary !== null) return { kind: 'field', field: partitionField(unary[1] as PartitionTransform, unary[2] as string), bare: false };
  const width = WIDTH.exec(s);
  if (width !== null) {
    const n = Number(width[2]);
    if (n < 1 || n > 1_000_000) return { kind: 'error', message: `\`${s}\`: the ${width[1] === 'bucket' ? 'bucket count' : 'width'} must be between 1 and 1000000`, hint: HINT };
    return { kind: 'field', field: partitionField(width[1] as PartitionTransform, width[3] as string, n), bare: false };
  }
  const fn = /^([A-Za-z_]+)\s*\(/.exec(s);
  if (fn !== null && !['identity', 'year', 'month', 'day', 'hour', 'bucket', 'truncate'].includes(fn[1] as string)) {
    const near = closest(fn[1] as string, ['identity', 'year', 'month', 'day', 'hour', 'bucket', 'truncate']);
    return { kind: 'error', message: `\`${s.slice(0, 60)}\` is not an Iceberg partition transform`, hint: near === undefined ? HINT : `did you mean \`${near}\`?` };
  }
  return { kind: 'error', message: `\`${s.slice(0, 60)}\` is not a partition field`, hint: HINT };
}
