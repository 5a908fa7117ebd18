import type { KafkaConnectionPlan } from '@matih/contracts';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { ISocketFactory, KafkaConfig, SASLOptions } from 'kafkajs';
import { ExecutorError, ExecutorErrorCode } from './errors';
import { once } from 'node:events';

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
    config.socketFactory = tlsSocketFactory(connection);
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

/** Node's codes for a broker certificate the client does not accept. */
const UNTRUSTED_CHAIN = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What a TLS failure connecting to `broker` means and what to change, or null when it is not about
 * the broker's certificate. The settings are named as in the pipeline definition
 * (`connection.ssl.ca_location`, `connection.ssl.verify_hostname`).
 */
export function explainTlsError(error: { message: string; code?: string }, broker: string, connection: KafkaConnectionPlan): string | null {
  const code = error.code ?? '';
  const where = `the TLS certificate of Kafka broker ${broker} (bootstrap servers ${connection.bootstrapServers.join(',')}, security protocol ${connection.securityProtocol}) was refused: ${error.message} (${code})`;
  const ca = connection.ssl?.caLocation;
  if (UNTRUSTED_CHAIN.has(code)) {
    return ca
      ? `${where}. It is not signed by the CA in ${ca}: set connection.ssl.ca_location to the PEM file of the CA that signed the brokers' certificates (Strimzi: ca.crt of the <cluster>-cluster-ca-cert secret)`
      : `${where}. No connection.ssl.ca_location is set, so only the system's trusted CAs are accepted: set connection.ssl.ca_location to the PEM file of the CA that signed the brokers' certificates (Strimzi: ca.crt of the <cluster>-cluster-ca-cert secret)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${where}. The certificate does not name the host the client connected to: use a bootstrap address the certificate covers, or set connection.ssl.verify_hostname: false (the chain is still checked)`;
  }
  if (OUT_OF_DATE.has(code)) return `${where}. Renew the broker certificate, or check this machine's clock`;
  return null;
}

/**
 * kafkajs' own socket factory for TLS (servername for host names, keep-alive), whose certificate
 * errors say which broker refused, under which security protocol, and what to change — kafkajs
 * itself reports only Node's bare reason ("self-signed certificate in certificate chain").
 */
function tlsSocketFactory(connection: KafkaConnectionPlan): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect);
    socket.setKeepAlive(true, 60_000);
    // runs before kafkajs' listener, which wraps the message into its KafkaJSConnectionError
    socket.prependListener('error', (error: Error & { code?: string }) => {
      const explained = explainTlsError(error, `${host}:${port}`, connection);
      if (explained) error.message = explained;
    });
    return socket;
  };
}

/**
 * Checks the brokers' TLS certificates once before the clients connect: kafkajs retries a refused
 * certificate like any connection error (a minute of retries before it gives up), while a
 * certificate that is not accepted now will not be on the next attempt. Resolves once one bootstrap
 * server's certificate is accepted, or when none answers (kafkajs then reports the connection).
 */
export async function checkBrokerCertificates(config: KafkaConfig, connection: KafkaConnectionPlan, timeoutMs = 10_000): Promise<void> {
  const ssl = config.ssl;
  if (!ssl || ssl === true) return;
  for (const broker of connection.bootstrapServers) {
    const cut = broker.lastIndexOf(':');
    const host = broker.slice(0, cut);
    const socket = tlsConnect({ host, port: Number(broker.slice(cut + 1)), ...(isIP(host) ? {} : { servername: host }), ...ssl, timeout: timeoutMs });
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    try {
      await once(socket, 'secureConnect');
      return;
    } catch (e) {
      const explained = explainTlsError(e as Error & { code?: string }, broker, connection);
      if (explained) throw new ExecutorError(ExecutorErrorCode.BrokerCertificate, explained, { cause: e });
    } finally {
      socket.destroy();
    }
  }
}
