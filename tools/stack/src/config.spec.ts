import { flinkConfig, kafkaScramFormatArgs, renderFlatYaml, renderKafkaServerProperties } from './config';
import { icebergCatalogDdl, layout, stackEndpoints } from './layout';
import { resolveComponents } from './stack';
import { restCatalogEnv } from './rest-catalog';

const l = layout('/tmp/matih state');

describe('Kafka configuration', () => {
  const props = Object.fromEntries(
    renderKafkaServerProperties(l)
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('binds every listener to loopback on the pinned ports', () => {
    expect(props['listeners']).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,SASL_PLAINTEXT://127.0.0.1:19094,SASL_SSL://127.0.0.1:19095,SSL://127.0.0.1:19096');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094,SASL_SSL://127.0.0.1:19095,SSL://127.0.0.1:19096');
    expect(props['listener.security.protocol.map']).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL');
    expect(props['controller.quorum.bootstrap.servers']).toBe('127.0.0.1:19093');
  });

  it('is a single KRaft node whose internal topics fit one broker', () => {
    expect(props['process.roles']).toBe('broker,controller');
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor']) {
      expect(props[key]).toBe('1');
    }
    expect(props['log.dirs']).toBe('/tmp/matih state/kafka/data');
  });

  it('enables SCRAM on the SASL listener, with the credential created at format time', () => {
    expect(props['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config']).toContain('ScramLoginModule required;');
    expect(kafkaScramFormatArgs()).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name=matih,password=matih-secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=matih,password=matih-secret]',
    ]);
  });

  it('offers SCRAM and PLAIN over TLS on the SASL_SSL listener, its keystore in the state folder', () => {
    expect(props['listener.name.sasl_ssl.sasl.enabled.mechanisms']).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props['listener.name.sasl_ssl.plain.sasl.jaas.config']).toBe('org.apache.kafka.common.security.plain.PlainLoginModule required user_matih="matih-secret";');
    expect(props['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config']).toContain('ScramLoginModule required;');
    expect(props['listener.name.sasl_ssl.ssl.keystore.type']).toBe('PKCS12');
    expect(props['listener.name.sasl_ssl.ssl.keystore.location']).toBe('/tmp/matih state/kafka/tls/server.p12');
    expect(props['listener.name.sasl_ssl.ssl.client.auth']).toBe('none');
  });

  it('requires a client certificate signed by the stack CA on the SSL (mTLS) listener, with the same server keystore', () => {
    expect(props['listener.name.ssl.ssl.client.auth']).toBe('required');
    expect(props['listener.name.ssl.ssl.truststore.type']).toBe('PEM');
    expect(props['listener.name.ssl.ssl.truststore.location']).toBe('/tmp/matih state/kafka/tls/ca.crt');
    expect(props['listener.name.ssl.ssl.keystore.type']).toBe('PKCS12');
    expect(props['listener.name.ssl.ssl.keystore.location']).toBe('/tmp/matih state/kafka/tls/server.p12');
    expect(Object.keys(props).filter((k) => k.startsWith('listener.name.ssl.') && k.includes('sasl'))).toEqual([]);
  });
});

describe('Flink configuration', () => {
  it('binds to loopback, offers at least 4 slots and keeps state in the state folder', () => {
    const config = flinkConfig(l, '/usr/lib/jvm/java-17');
    expect(config['rest.bind-address']).toBe('127.0.0.1');
    expect(config['rest.port']).toBe(18081);
    expect(config['sql-gateway.endpoint.rest.port']).toBe(18083);
    expect(config['taskmanager.numberOfTaskSlots']).toBeGreaterThanOrEqual(4);
    expect(config['execution.checkpointing.dir']).toBe('file:///tmp/matih state/flink/checkpoints');
    expect(config['env.java.opts.all']).toContain('--add-opens=java.base/java.util=ALL-UNNAMED');
    // Iceberg's shared S3 connection pool outlives the job that opened it (flink.integration-spec, REST case)
    expect(config['classloader.check-leaked-classloader']).toBe(false);
  });

  it('renders YAML plain scalars where Flink bash scripts read them, quotes the rest', () => {
    const yaml = renderFlatYaml({ 'env.java.home': '/usr/lib/jvm/java-17', a: 'file:///x y', b: 'true', c: 'x: y', d: '12', e: 4, f: '30 min' });
    expect(yaml.split('\n').slice(1, -1)).toEqual([
      'env.java.home: /usr/lib/jvm/java-17',
      'a: file:///x y',
      'b: "true"',
      'c: "x: y"',
      'd: "12"',
      'e: 4',
      'f: 30 min',
    ]);
  });
});

describe('endpoints', () => {
  it('derive every connection string from the pinned ports and credentials', () => {
    const e = stackEndpoints('/s');
    expect(e.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(e.kafka.saslSsl).toEqual({
      brokers: ['127.0.0.1:19095'],
      securityProtocol: 'SASL_SSL',
      mechanisms: ['plain', 'scram-sha-256', 'scram-sha-512'],
      caLocation: '/s/kafka/tls/ca.crt',
      username: 'matih',
      password: 'matih-secret',
    });
    expect(e.kafka.mtls).toEqual({
      brokers: ['127.0.0.1:19096'],
      securityProtocol: 'SSL',
      caLocation: '/s/kafka/tls/ca.crt',
      certificateLocation: '/s/kafka/tls/client.crt',
      keyLocation: '/s/kafka/tls/client.key',
      keyPassword: 'matih-client-key',
    });
    expect(e.postgres.url).toBe('postgresql://matih:matih@127.0.0.1:15432/matih');
    expect(e.iceberg).toMatchObject({ warehouse: 'file:///s/iceberg/warehouse', jdbcUrl: 'jdbc:postgresql://127.0.0.1:15432/matih', catalogName: 'matih' });
    expect(e.python).toBe('/s/python/venv/bin/python');
  });

  it('the Flink catalog DDL points the JDBC catalog at the same database and warehouse as pyiceberg', () => {
    const ddl = icebergCatalogDdl(stackEndpoints('/s'));
    expect(ddl).toContain(`'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog'`);
    expect(ddl).toContain(`'uri' = 'jdbc:postgresql://127.0.0.1:15432/matih'`);
    expect(ddl).toContain(`'warehouse' = 'file:///s/iceberg/warehouse'`);
  });
});

describe('resolveComponents', () => {
  it('defaults to everything, adds the Flink cluster under the gateway, keeps start order', () => {
    expect(resolveComponents(undefined)).toEqual(['postgres', 'kafka', 'flink', 'gateway', 'objectstore', 'rest-catalog', 'schema-registry']);
    expect(resolveComponents(['gateway', 'postgres'])).toEqual(['postgres', 'flink', 'gateway']);
    expect(resolveComponents(['kafka'])).toEqual(['kafka']);
  });

  it('starts the REST catalog with what it keeps its tables in: PostgreSQL and the object store', () => {
    expect(resolveComponents(['rest-catalog'])).toEqual(['postgres', 'objectstore', 'rest-catalog']);
    expect(resolveComponents(['objectstore'])).toEqual(['objectstore']);
  });

  it('starts the schema registry with PostgreSQL, where it keeps its schemas', () => {
    expect(resolveComponents(['schema-registry'])).toEqual(['postgres', 'schema-registry']);
  });
});

describe('the REST catalog server configuration', () => {
  it('points the reference server at its own PostgreSQL database and the object store, path-style', () => {
    const e = stackEndpoints('/tmp/stack');
    const env = restCatalogEnv(e);
    expect(env).toMatchObject({
      CATALOG_CATALOG__IMPL: 'org.apache.iceberg.jdbc.JdbcCatalog',
      CATALOG_URI: 'jdbc:postgresql://127.0.0.1:15432/matih_rest_catalog',
      CATALOG_WAREHOUSE: 's3://warehouse/rest',
      CATALOG_IO__IMPL: 'org.apache.iceberg.aws.s3.S3FileIO',
      CATALOG_S3_ENDPOINT: 'http://127.0.0.1:19900',
      CATALOG_S3_PATH__STYLE__ACCESS: 'true',
      CATALOG_REST_PORT: '19181',
    });
    expect(e.restCatalog.uri).toBe('http://127.0.0.1:19181');
  });
});
