import type { KafkaConnectionPlan } from '@matih/contracts';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { ExecutorError, ExecutorErrorCode } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** The value of a secret the plan references by environment variable name. */
export function resolveSecret(ref: { env: string }, env: Env): string {
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw new ExecutorError(ExecutorErrorCode.MissingSecret, `the secret \${${ref.env}} is not set in the executor's environment: set ${ref.env}`);
  }
  return value;
}

/**
 * kafkajs client settings for a plan's connection: PLAINTEXT, SSL (CA, client certificate and key,
 * hostname verification), SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 over plaintext or TLS — what a
 * Strimzi-managed Kafka's listeners need.
 */
export function kafkaClientConfig(connection: KafkaConnectionPlan, clientId: string, env: Env = process.env): KafkaConfig {
  const config: KafkaConfig = { clientId, brokers: [...connection.bootstrapServers] };
  const tls = connection.securityProtocol === 'SSL' || connection.securityProtocol === 'SASL_SSL';
  if (tls) {
    const ssl = connection.ssl;
    const options: ConnectionOptions = { rejectUnauthorized: true };
    if (ssl?.caLocation) options.ca = [readFileSync(ssl.caLocation, 'utf8')];
    if (ssl?.certificateLocation) options.cert = readFileSync(ssl.certificateLocation, 'utf8');
    if (ssl?.keyLocation) options.key = readFileSync(ssl.keyLocation, 'utf8');
    if (ssl?.keyPassword) options.passphrase = resolveSecret(ssl.keyPassword, env);
    // verify_hostname: false keeps the chain check but accepts a certificate for another name (an IP-addressed bootstrap)
    if (ssl && !ssl.verifyHostname) options.checkServerIdentity = () => undefined;
    config.ssl = options;
  }
  if (connection.securityProtocol === 'SASL_PLAINTEXT' || connection.securityProtocol === 'SASL_SSL') {
    const sasl = connection.sasl;
    if (!sasl) throw new ExecutorError(ExecutorErrorCode.InvalidPlan, `security protocol ${connection.securityProtocol} needs sasl settings`);
    const password = resolveSecret(sasl.password, env);
    const mechanism = ({ PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const)[sasl.mechanism];
    config.sasl = { mechanism, username: sasl.username, password } as SASLOptions;
  }
  return config;
}
