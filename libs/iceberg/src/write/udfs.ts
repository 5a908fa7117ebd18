import { BIGINT, BLOB, DuckDBBlobValue, DuckDBConnection, DuckDBScalarFunction, INTEGER, VARCHAR } from '@duckdb/node-api';
import { bucket } from '../transforms';
import { parseDecimal, formatDecimal } from '../values';

const registered = new WeakSet<DuckDBConnection>();

/**
 * JS scalar functions for the transforms DuckDB has no built-in for (Murmur3 bucket, decimal and binary
 * truncate). They are registered once per connection and called a vector (≤2048 rows) at a time.
 */
export function registerTransformFunctions(connection: DuckDBConnection): void {
  if (registered.has(connection)) return;
  const fn = (name: string, params: Parameters<typeof DuckDBScalarFunction.create>[0]['parameterTypes'], ret: typeof INTEGER | typeof VARCHAR | typeof BLOB, map: (args: unknown[]) => unknown) =>
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        parameterTypes: params,
        returnType: ret,
        mainFunction: (_info, input, output) => {
          const vectors = Array.from({ length: input.columnCount }, (_, i) => input.getColumnVector(i));
          for (let row = 0; row < input.rowCount; row++) {
            const args = vectors.map((v) => v.getItem(row));
            output.setItem(row, args[0] === null ? null : (map(args) as never));
          }
          output.flush();
        },
      }),
    );
  fn('__iceberg_bucket_long', [BIGINT, INTEGER], INTEGER, ([v, n]) => bucket('long', v as bigint, n as number));
  fn('__iceberg_bucket_string', [VARCHAR, INTEGER], INTEGER, ([v, n]) => bucket('string', v as string, n as number));
  fn('__iceberg_bucket_uuid', [VARCHAR, INTEGER], INTEGER, ([v, n]) => bucket('uuid', v as string, n as number));
  fn('__iceberg_bucket_binary', [BLOB, INTEGER], INTEGER, ([v, n]) => bucket('binary', (v as DuckDBBlobValue).bytes, n as number));
  fn('__iceberg_bucket_decimal', [VARCHAR, INTEGER, INTEGER], INTEGER, ([v, s, n]) =>
    bucket('decimal(38,0)', parseDecimal(v as string, s as number), n as number),
  );
  fn('__iceberg_truncate_decimal', [VARCHAR, INTEGER, INTEGER], VARCHAR, ([v, s, w]) => {
    const u = parseDecimal(v as string, s as number);
    const W = BigInt(w as number);
    return formatDecimal(u - (((u % W) + W) % W), s as number);
  });
  fn('__iceberg_truncate_binary', [BLOB, INTEGER], BLOB, ([v, w]) => new DuckDBBlobValue((v as DuckDBBlobValue).bytes.subarray(0, w as number)));
  registered.add(connection);
}
