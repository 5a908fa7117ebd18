import * as path from 'node:path';

/** The components of the local stack, in start order. */
export const COMPONENTS = ['postgres', 'kafka', 'flink', 'gateway', 'objectstore', 'rest-catalog', 'schema-registry'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponentName(value: string): value is ComponentName {
  return (COMPONENTS as readonly string[]).includes(value);
}

/** Pinned loopback ports (non-default, so a developer's own services do not clash). */
export const PORTS = {
  kafka: 19092,
  kafkaController: 19093,
  kafkaSasl: 19094,
  /** SASL_SSL: SCRAM-SHA-256/512 and PLAIN over TLS, the server certificate signed by the stack's CA */
  kafkaSaslSsl: 19095,
  /** SSL with client certificates required (mutual TLS, Strimzi's `authentication: tls`), both signed by the stack's CA */
  kafkaMtls: 19096,
  postgres: 15432,
  flinkRest: 18081,
  flinkRpc: 18123,
  gateway: 18083,
  /** S3-compatible object store (moto) */
  objectStore: 19900,
  /** Iceberg REST catalog (Iceberg's reference server) */
  restCatalog: 19181,
  /** schema registry (Apicurio Registry; Confluent API under /apis/ccompat/v7) */
  schemaRegistry: 19281,
} as const;

export const HOST = '127.0.0.1';

export const CREDENTIALS = {
  postgres: { user: 'matih', password: 'matih', database: 'matih' },
  /** the SASL user of both SASL listeners (SCRAM credential made at format time; PLAIN from the SASL_SSL listener's JAAS) */
  kafkaScram: { username: 'matih', password: 'matih-secret' },
  /** the PKCS12 keystore of the SASL_SSL listener's server key and certificate */
  kafkaKeystore: { password: 'matih-keystore' },
  /** the passphrase the mTLS client key (`client.key`, encrypted PKCS#8 PEM) is encrypted with */
  kafkaClientKey: { password: 'matih-client-key' },
  /** the object store takes any key; the stack's clients all use this one */
  objectStore: { accessKeyId: 'matih', secretAccessKey: 'matih-object-secret', region: 'us-east-1', bucket: 'warehouse' },
  /** the REST catalog's own database on the stack's PostgreSQL */
  restCatalog: { database: 'matih_rest_catalog' },
  /** the schema registry's own database on the stack's PostgreSQL */
  schemaRegistry: { database: 'matih_schema_registry' },
} as const;

export const ICEBERG_CATALOG_NAME = 'matih';

/** The repository root: tools/stack/src -> ../../.. */
export function repoRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

/** Where the stack keeps everything: state, data, logs, venv, Flink home. `MATIH_STACK_DIR` overrides. */
export function stackDir(): string {
  const fromEnv = process.env['MATIH_STACK_DIR'];
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(repoRoot(), '.stack');
}

/** The folder of this tool's own files (poms, Python requirements, reader script). */
export function toolDir(): string {
  return path.resolve(__dirname, '..');
}

/** The TLS listeners' material (SASL_SSL, mTLS), made by `openssl` at provisioning time (see `provisionKafkaTls`). */
export interface KafkaTlsFiles {
  dir: string;
  /** the stack-local CA's certificate (PEM): what clients trust (`ssl.ca_location`) */
  caCert: string;
  caKey: string;
  /** the server certificate (PEM, SAN 127.0.0.1 and localhost), signed by the CA */
  serverCert: string;
  serverKey: string;
  /** server key + certificate + CA as the PKCS12 keystore the broker loads */
  keystore: string;
  /** the mTLS listener's client certificate (PEM, CN=matih-client, clientAuth), signed by the CA */
  clientCert: string;
  /** its key: PKCS#8 PEM encrypted (AES-256-CBC) with `CREDENTIALS.kafkaClientKey.password` */
  clientKey: string;
}

/** Every path the stack uses, derived from one state folder. */
export interface StackLayout {
  root: string;
  markers: string;
  run: string;
  logs: string;
  kafka: { home: string; libs: string; data: string; config: string; log4j: string; log: string; tls: KafkaTlsFiles };
  postgres: { home: string; data: string; socketDir: string; log: string };
  /** venv: the reader venv (pyiceberg); flinkVenv: the Flink distribution, installed without dependencies */
  python: { venv: string; bin: string; flinkVenv: string };
  flink: { home: string; conf: string; checkpoints: string; savepoints: string; tmp: string; logDir: string; jobmanagerLog: string; taskmanagerLog: string; gatewayLog: string };
  iceberg: { warehouse: string };
}

export function layout(root: string = stackDir()): StackLayout {
  const logs = path.join(root, 'logs');
  const kafkaHome = path.join(root, 'kafka');
  const tls = path.join(kafkaHome, 'tls');
  const pgHome = path.join(root, 'postgres');
  const flinkRoot = path.join(root, 'flink');
  const venv = path.join(root, 'python', 'venv');
  return {
    root,
    markers: path.join(root, 'markers'),
    run: path.join(root, 'run'),
    logs,
    kafka: {
      home: kafkaHome,
      libs: path.join(kafkaHome, 'libs'),
      data: path.join(kafkaHome, 'data'),
      config: path.join(kafkaHome, 'server.properties'),
      log4j: path.join(kafkaHome, 'log4j2.properties'),
      log: path.join(logs, 'kafka.log'),
      tls: {
        dir: tls,
        caCert: path.join(tls, 'ca.crt'),
        caKey: path.join(tls, 'ca.key'),
        serverCert: path.join(tls, 'server.crt'),
        serverKey: path.join(tls, 'server.key'),
        keystore: path.join(tls, 'server.p12'),
        clientCert: path.join(tls, 'client.crt'),
        clientKey: path.join(tls, 'client.key'),
      },
    },
    postgres: {
      home: pgHome,
      data: path.join(pgHome, 'data'),
      socketDir: path.join(pgHome, 'run'),
      log: path.join(logs, 'postgres.log'),
    },
    python: { venv, bin: path.join(venv, 'bin', 'python'), flinkVenv: path.join(root, 'python', 'flink-venv') },
    flink: {
      home: path.join(flinkRoot, 'home'),
      conf: path.join(flinkRoot, 'home', 'conf'),
      checkpoints: path.join(flinkRoot, 'checkpoints'),
      savepoints: path.join(flinkRoot, 'savepoints'),
      tmp: path.join(flinkRoot, 'tmp'),
      logDir: path.join(logs, 'flink'),
      jobmanagerLog: path.join(logs, 'flink-jobmanager.log'),
      taskmanagerLog: path.join(logs, 'flink-taskmanager.log'),
      gatewayLog: path.join(logs, 'sql-gateway.log'),
    },
    iceberg: { warehouse: path.join(root, 'iceberg', 'warehouse') },
  };
}

export interface StackEndpoints {
  kafka: {
    brokers: string[];
    scram: { brokers: string[]; mechanisms: Array<'scram-sha-256' | 'scram-sha-512'>; username: string; password: string };
    /**
     * The SASL_SSL listener: TLS with a server certificate (SAN 127.0.0.1, localhost) signed by the
     * stack's CA, whose PEM certificate is `caLocation`; SCRAM and PLAIN with the same user.
     */
    saslSsl: {
      brokers: string[];
      securityProtocol: 'SASL_SSL';
      mechanisms: Array<'plain' | 'scram-sha-256' | 'scram-sha-512'>;
      caLocation: string;
      username: string;
      password: string;
    };
    /**
     * The mTLS listener (security protocol SSL, no SASL): the broker requires a client certificate
     * signed by the stack's CA. `certificateLocation`/`keyLocation` are the stack's client
     * certificate and its encrypted key, `keyPassword` the key's passphrase.
     */
    mtls: {
      brokers: string[];
      securityProtocol: 'SSL';
      caLocation: string;
      certificateLocation: string;
      keyLocation: string;
      keyPassword: string;
    };
  };
  postgres: { host: string; port: number; user: string; password: string; database: string; url: string; jdbcUrl: string };
  flink: { restUrl: string; gatewayUrl: string };
  iceberg: {
    catalogName: string;
    /** file:// URI of the warehouse folder */
    warehouse: string;
    warehousePath: string;
    jdbcUrl: string;
    catalogImpl: string;
    /** SQLAlchemy URI for pyiceberg's SqlCatalog */
    sqlalchemyUri: string;
  };
  /** S3-compatible object store (path-style addressing) */
  objectStore: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; bucket: string };
  /** Iceberg REST catalog, keeping its tables in the object store */
  restCatalog: { uri: string; warehouse: string };
  /** the schema registry: `url` is the Confluent Schema Registry API base, what `schema_registry.url` and Confluent clients take */
  schemaRegistry: { url: string };
  /** the reader venv's python (pyiceberg) */
  python: string;
  stateDir: string;
}

export function stackEndpoints(root: string = stackDir()): StackEndpoints {
  const l = layout(root);
  const pg = CREDENTIALS.postgres;
  const jdbcUrl = `jdbc:postgresql://${HOST}:${PORTS.postgres}/${pg.database}`;
  return {
    kafka: {
      brokers: [`${HOST}:${PORTS.kafka}`],
      scram: {
        brokers: [`${HOST}:${PORTS.kafkaSasl}`],
        mechanisms: ['scram-sha-256', 'scram-sha-512'],
        username: CREDENTIALS.kafkaScram.username,
        password: CREDENTIALS.kafkaScram.password,
      },
      saslSsl: {
        brokers: [`${HOST}:${PORTS.kafkaSaslSsl}`],
        securityProtocol: 'SASL_SSL',
        mechanisms: ['plain', 'scram-sha-256', 'scram-sha-512'],
        caLocation: l.kafka.tls.caCert,
        username: CREDENTIALS.kafkaScram.username,
        password: CREDENTIALS.kafkaScram.password,
      },
      mtls: {
        brokers: [`${HOST}:${PORTS.kafkaMtls}`],
        securityProtocol: 'SSL',
        caLocation: l.kafka.tls.caCert,
        certificateLocation: l.kafka.tls.clientCert,
        keyLocation: l.kafka.tls.clientKey,
        keyPassword: CREDENTIALS.kafkaClientKey.password,
      },
    },
    postgres: {
      host: HOST,
      port: PORTS.postgres,
      user: pg.user,
      password: pg.password,
      database: pg.database,
      url: `postgresql://${pg.user}:${pg.password}@${HOST}:${PORTS.postgres}/${pg.database}`,
      jdbcUrl,
    },
    flink: { restUrl: `http://${HOST}:${PORTS.flinkRest}`, gatewayUrl: `http://${HOST}:${PORTS.gateway}` },
    iceberg: {
      catalogName: ICEBERG_CATALOG_NAME,
      warehouse: `file://${l.iceberg.warehouse}`,
      warehousePath: l.iceberg.warehouse,
      jdbcUrl,
      catalogImpl: 'org.apache.iceberg.jdbc.JdbcCatalog',
      sqlalchemyUri: `postgresql+psycopg2://${pg.user}:${pg.password}@${HOST}:${PORTS.postgres}/${pg.database}`,
    },
    objectStore: {
      endpoint: `http://${HOST}:${PORTS.objectStore}`,
      region: CREDENTIALS.objectStore.region,
      accessKeyId: CREDENTIALS.objectStore.accessKeyId,
      secretAccessKey: CREDENTIALS.objectStore.secretAccessKey,
      bucket: CREDENTIALS.objectStore.bucket,
    },
    restCatalog: { uri: `http://${HOST}:${PORTS.restCatalog}`, warehouse: `s3://${CREDENTIALS.objectStore.bucket}/rest` },
    schemaRegistry: { url: `http://${HOST}:${PORTS.schemaRegistry}/apis/ccompat/v7` },
    python: l.python.bin,
    stateDir: root,
  };
}

/**
 * The Flink SQL that registers the stack's Iceberg catalog (JDBC catalog on the stack's PostgreSQL,
 * file warehouse) in a session; the same catalog pyiceberg's SqlCatalog reads.
 */
export function icebergCatalogDdl(endpoints: StackEndpoints = stackEndpoints(), name: string = ICEBERG_CATALOG_NAME): string {
  return catalogDdl(name, {
    type: 'iceberg',
    'catalog-impl': endpoints.iceberg.catalogImpl,
    uri: endpoints.iceberg.jdbcUrl,
    'jdbc.user': endpoints.postgres.user,
    'jdbc.password': endpoints.postgres.password,
    'jdbc.schema-version': 'V1',
    warehouse: endpoints.iceberg.warehouse,
  });
}

/** The Flink SQL that registers the stack's Iceberg REST catalog, its table files on the object store (S3FileIO). */
export function restCatalogDdl(endpoints: StackEndpoints = stackEndpoints(), name = 'rest'): string {
  const s3 = endpoints.objectStore;
  return catalogDdl(name, {
    type: 'iceberg',
    'catalog-type': 'rest',
    uri: endpoints.restCatalog.uri,
    'io-impl': 'org.apache.iceberg.aws.s3.S3FileIO',
    's3.endpoint': s3.endpoint,
    's3.path-style-access': 'true',
    's3.access-key-id': s3.accessKeyId,
    's3.secret-access-key': s3.secretAccessKey,
    'client.region': s3.region,
  });
}

function catalogDdl(name: string, options: Record<string, string>): string {
  const body = Object.entries(options)
    .map(([k, v]) => `  '${k}' = '${v.replace(/'/g, "''")}'`)
    .join(',\n');
  return `CREATE CATALOG \`${name}\` WITH (\n${body}\n)`;
}
