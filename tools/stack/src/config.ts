import { CREDENTIALS, HOST, PORTS, type StackLayout } from './layout';

const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

/** A TLS listener's server key and certificate: the PKCS12 keystore provisionKafkaTls makes. */
function serverKeystore(l: StackLayout, listener: string): Array<[string, string]> {
  const password = CREDENTIALS.kafkaKeystore.password;
  const at = `listener.name.${listener}.ssl`;
  return [
    [`${at}.keystore.type`, 'PKCS12'],
    [`${at}.keystore.location`, l.kafka.tls.keystore],
    [`${at}.keystore.password`, password],
    [`${at}.key.password`, password],
  ];
}

/** Kafka broker+controller (KRaft, single node) configuration. */
export function renderKafkaServerProperties(l: StackLayout): string {
  const { username, password } = CREDENTIALS.kafkaScram;
  const props: Array<[string, string | number]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.bootstrap.servers', `${HOST}:${PORTS.kafkaController}`],
    [
      'listeners',
      `PLAINTEXT://${HOST}:${PORTS.kafka},CONTROLLER://${HOST}:${PORTS.kafkaController},SASL_PLAINTEXT://${HOST}:${PORTS.kafkaSasl},SASL_SSL://${HOST}:${PORTS.kafkaSaslSsl},SSL://${HOST}:${PORTS.kafkaMtls}`,
    ],
    [
      'advertised.listeners',
      `PLAINTEXT://${HOST}:${PORTS.kafka},SASL_PLAINTEXT://${HOST}:${PORTS.kafkaSasl},SASL_SSL://${HOST}:${PORTS.kafkaSaslSsl},SSL://${HOST}:${PORTS.kafkaMtls}`,
    ],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL'],
    // SASL_PLAINTEXT: SCRAM only (the credential is created at format time, see kafkaScramFormatArgs)
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-256,SCRAM-SHA-512'],
    ['listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config', SCRAM_JAAS],
    ['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config', SCRAM_JAAS],
    // SASL_SSL: the same SCRAM user, and PLAIN with that user and password from the listener's JAAS
    ['listener.name.sasl_ssl.sasl.enabled.mechanisms', 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512'],
    ['listener.name.sasl_ssl.plain.sasl.jaas.config', `org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`],
    ['listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config', SCRAM_JAAS],
    ['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config', SCRAM_JAAS],
    // its server key and certificate (signed by the stack's CA, made by provisionKafkaTls); no client certificates
    ...serverKeystore(l, 'sasl_ssl'),
    ['listener.name.sasl_ssl.ssl.client.auth', 'none'],
    // SSL (mutual TLS, Strimzi's `authentication: tls`): the same server keystore; a client certificate
    // signed by the stack's CA is required (the CA's PEM certificate is the truststore)
    ...serverKeystore(l, 'ssl'),
    ['listener.name.ssl.ssl.truststore.type', 'PEM'],
    ['listener.name.ssl.ssl.truststore.location', l.kafka.tls.caCert],
    ['listener.name.ssl.ssl.client.auth', 'required'],
    ['log.dirs', l.kafka.data],
    ['num.partitions', 1],
    ['auto.create.topics.enable', 'true'],
    ['delete.topic.enable', 'true'],
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 4],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0],
    ['log.retention.hours', 168],
    ['log.segment.bytes', 64 * 1024 * 1024],
  ];
  return ['# Rendered by tools/stack on every `stack up`; edits are overwritten.', ...props.map(([k, v]) => `${k}=${v}`), ''].join('\n');
}

/** log4j2 for the broker: everything to stdout, which the stack sends to the component's log file. */
export function renderKafkaLog4j2(): string {
  return [
    'status = warn',
    'appender.console.type = Console',
    'appender.console.name = STDOUT',
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    'logger.kafka.name = kafka',
    'logger.kafka.level = info',
    'logger.state.name = state.change.logger',
    'logger.state.level = warn',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = warn',
    '',
  ].join('\n');
}

/** The `--add-scram` arguments of `StorageTool format`: the SCRAM user for both mechanisms. */
export function kafkaScramFormatArgs(): string[] {
  const { username, password } = CREDENTIALS.kafkaScram;
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mech) => ['--add-scram', `${mech}=[name=${username},password=${password}]`]);
}

/** JVM options Flink's own config.yaml carries for Java 17 (module opens for Kryo, Pekko, …). */
export const FLINK_JAVA_OPTS = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

export const FLINK_TASK_SLOTS = 8;

/** Flink's config.yaml (flattened keys, which Flink 2's YAML parser accepts). */
export function flinkConfig(l: StackLayout, javaHome: string | null): Record<string, string | number | boolean> {
  const config: Record<string, string | number | boolean> = {
    'env.java.opts.all': FLINK_JAVA_OPTS.join(' '),
    'env.log.dir': l.flink.logDir,
    'env.pid.dir': l.run,
    'jobmanager.bind-host': HOST,
    'jobmanager.rpc.address': HOST,
    'jobmanager.rpc.port': PORTS.flinkRpc,
    'jobmanager.memory.process.size': '1600m',
    'jobmanager.execution.failover-strategy': 'region',
    'taskmanager.bind-host': HOST,
    'taskmanager.host': HOST,
    'taskmanager.numberOfTaskSlots': FLINK_TASK_SLOTS,
    'taskmanager.memory.process.size': '3072m',
    'parallelism.default': 1,
    // Iceberg's S3 client (iceberg-aws-bundle, on the cluster's class path) keeps HTTP connections in a
    // pool shared across jobs; a connection opened later looks up commons-logging through the class
    // loader of the job that created the pool, closed once that job ended. Flink's leak check would
    // fail that job ("Trying to access closed classloader"); the lookup itself is harmless.
    'classloader.check-leaked-classloader': false,
    'rest.address': HOST,
    'rest.bind-address': HOST,
    'rest.port': PORTS.flinkRest,
    'blob.server.port': 0,
    'io.tmp.dirs': l.flink.tmp,
    'web.tmpdir': l.flink.tmp,
    'state.backend.type': 'hashmap',
    'execution.checkpointing.dir': `file://${l.flink.checkpoints}`,
    'execution.checkpointing.savepoint-dir': `file://${l.flink.savepoints}`,
    'execution.checkpointing.num-retained': 3,
    'sql-gateway.endpoint.rest.address': HOST,
    'sql-gateway.endpoint.rest.bind-address': HOST,
    'sql-gateway.endpoint.rest.port': PORTS.gateway,
    'sql-gateway.session.idle-timeout': '30 min',
  };
  if (javaHome) config['env.java.home'] = javaHome;
  return config;
}

/**
 * Renders a flat map as YAML. Strings stay plain scalars when that is unambiguous, because Flink's
 * bash scripts read some keys (env.java.home, …) with a line parser that does not unquote;
 * anything else is double-quoted as JSON, which is valid YAML.
 */
export function renderFlatYaml(config: Record<string, string | number | boolean>): string {
  const scalar = (value: string | number | boolean): string => {
    if (typeof value !== 'string') return String(value);
    const plain = /^[A-Za-z0-9_/.=+,@-][A-Za-z0-9_/.:=+,@ -]*$/.test(value) && !/: | #|\s$/.test(value) && !/^(true|false|null|~|-?\d+(\.\d+)?)$/i.test(value);
    return plain ? value : JSON.stringify(value);
  };
  const lines = Object.entries(config).map(([key, value]) => `${key}: ${scalar(value)}`);
  return ['# Rendered by tools/stack on every `stack up`; edits are overwritten.', ...lines, ''].join('\n');
}
