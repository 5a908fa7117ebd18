import { z } from 'zod';
import { catalogSettings } from './catalog-settings';

const parse = (json: unknown) => z.object(catalogSettings).safeParse({ MATIH_ICEBERG_CATALOGS: JSON.stringify(json) });

describe('MATIH_ICEBERG_CATALOGS', () => {
  it('reads a JDBC catalog without a type, as before REST catalogs', () => {
    const r = parse({ lake: { uri: 'jdbc:postgresql://db/lake', warehouse: 's3://b/w', user: 'u', passwordEnv: 'LAKE_PASSWORD' } });
    expect(r.success && r.data.MATIH_ICEBERG_CATALOGS).toEqual({
      lake: { type: 'jdbc', uri: 'jdbc:postgresql://db/lake', warehouse: 's3://b/w', user: 'u', password: { env: 'LAKE_PASSWORD' }, properties: {} },
    });
  });

  it('reads a REST catalog with S3 settings, secrets as environment references', () => {
    const r = parse({
      lake: { type: 'rest', uri: 'http://127.0.0.1:19181', warehouse: 's3://warehouse/rest', s3: { endpoint: 'http://127.0.0.1:19900', region: 'us-east-1', accessKeyIdEnv: 'S3_KEY', secretAccessKeyEnv: 'S3_SECRET' } },
    });
    expect(r.success && r.data.MATIH_ICEBERG_CATALOGS).toEqual({
      lake: {
        type: 'rest',
        uri: 'http://127.0.0.1:19181',
        warehouse: 's3://warehouse/rest',
        token: null,
        s3: { endpoint: 'http://127.0.0.1:19900', region: 'us-east-1', pathStyle: true, accessKeyId: { env: 'S3_KEY' }, secretAccessKey: { env: 'S3_SECRET' } },
        properties: {},
      },
    });
  });

  it('says what is wrong with a REST catalog', () => {
    const r = parse({ lake: { type: 'rest', uri: 'jdbc:postgresql://x/y', warehouse: 's3://b', s3: { region: 'eu', accessKeyId: 'AKIA…' } } });
    expect(r.success).toBe(false);
    const message = r.error!.issues.map((i) => i.message).join('\n');
    expect(message).toMatch(/lake\.uri: an http\(s\):\/\/ URL/);
    // a key itself where its variable's name belongs is refused
    expect(message).toMatch(/lake\.s3/);
  });
});
