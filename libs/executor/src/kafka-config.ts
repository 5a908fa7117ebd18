import type { KafkaConnectionPlan } from '@matih/contracts';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
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
    const cert = ssl?.certificateLocation ? readFileSync(ssl.certificateLocation, 'utf8') : undefined;
    if (cert !== undefined) options.cert = cert;
    if (ssl?.keyLocation) {
      options.key = readFileSync(ssl.keyLocation, 'utf8');
      if (ssl.keyPassword) options.passphrase = resolveSecret(ssl.keyPassword, env);
      checkClientKey(options.key, ssl.keyLocation, options.passphrase, ssl.keyPassword?.env, cert, ssl.certificateLocation);
    }
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

/**
 * Opens the client key now, so a wrong passphrase or a key of another certificate is reported with
 * the files and settings to change — Node's TLS reports only "bad decrypt" when it connects.
 */
function checkClientKey(key: string, keyLocation: string, passphrase: string | undefined, passwordEnv: string | undefined, cert: string | undefined, certificateLocation: string | null): void {
  let privateKey;
  try {
    privateKey = createPrivateKey({ key, ...(passphrase === undefined ? {} : { passphrase }) });
  } catch (e) {
    // OpenSSL's reason without its "error:1C800064:Provider routines::" prefix
    const reason = (e as Error).message.replace(/^error:[0-9A-F]+:[^:]*::?/, '');
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key);
    const message =
      passphrase !== undefined
        ? `the client key ${keyLocation} (connection.ssl.key_location) could not be decrypted with the passphrase from connection.ssl.key_password (\${${passwordEnv}}): ${reason}. Set ${passwordEnv} to the passphrase the key is encrypted with`
        : encrypted
          ? `the client key ${keyLocation} (connection.ssl.key_location) is encrypted and no connection.ssl.key_password is set: reference the secret holding its passphrase in connection.ssl.key_password`
          : `the client key ${keyLocation} (connection.ssl.key_location) is not a PEM private key: ${reason}`;
    throw new ExecutorError(ExecutorErrorCode.ClientCertificate, message, { cause: e });
  }
  if (cert === undefined) return;
  let matches = false;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(privateKey);
  } catch (e) {
    throw new ExecutorError(ExecutorErrorCode.ClientCertificate, `the client certificate ${certificateLocation} (connection.ssl.certificate_location) is not a PEM certificate: ${(e as Error).message}`, { cause: e });
  }
  if (!matches) {
    throw new ExecutorError(
      ExecutorErrorCode.ClientCertificate,
      `the client key ${keyLocation} (connection.ssl.key_location) is not the key of the certificate ${certificateLocation} (connection.ssl.certificate_location): set both to the same client's files`,
    );
  }
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

/** TLS alerts a broker sends when it does not accept the client's certificate (or its absence). */
const CLIENT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/**
 * What a broker closing the TLS handshake over the client's certificate means and what to change,
 * or null when it is not that. Without `connection.ssl.certificate_location`, a reset or an alert
 * during the handshake most likely means the listener requires one (Strimzi: `authentication: tls`).
 */
export function explainClientCertificateError(error: { message: string; code?: string }, broker: string, connection: KafkaConnectionPlan): string | null {
  const code = error.code ?? '';
  const alert = /alert ([a-z ]+)/i.exec(error.message)?.[1];
  const reason = alert ? `TLS alert "${alert.trim()}"` : error.message;
  const where = `Kafka broker ${broker} (bootstrap servers ${connection.bootstrapServers.join(',')}, security protocol ${connection.securityProtocol}) closed the TLS handshake: ${reason} (${code})`;
  const certificate = connection.ssl?.certificateLocation;
  if (!certificate) {
    if (CLIENT_REFUSED.has(code) || code === 'ECONNRESET' || /socket hang up/.test(error.message)) {
      return `${where}. No client certificate is set, and the broker may require one (mutual TLS; Strimzi: a listener with authentication: tls): set connection.ssl.certificate_location and connection.ssl.key_location to the client's PEM certificate and key (Strimzi: user.crt and user.key of the KafkaUser's secret), and connection.ssl.key_password if the key is encrypted`;
    }
    return null;
  }
  if (CLIENT_REFUSED.has(code)) {
    return `${where}. The broker did not accept the client certificate ${certificate} (connection.ssl.certificate_location): use a current certificate signed by a CA the broker trusts for clients (Strimzi: the clients CA, as in the KafkaUser's secret)`;
  }
  return null;
}

/** The first explanation that fits a TLS failure, with the error code it belongs to. */
function explainTls(error: { message: string; code?: string }, broker: string, connection: KafkaConnectionPlan): { code: ExecutorErrorCode; message: string } | null {
  const client = explainClientCertificateError(error, broker, connection);
  if (client) return { code: ExecutorErrorCode.ClientCertificate, message: client };
  const server = explainTlsError(error, broker, connection);
  return server ? { code: ExecutorErrorCode.BrokerCertificate, message: server } : null;
}

/** A TLS connection to a broker, as kafkajs makes it: SNI with the host's name (not an IP address). */
function connectTls(host: string, port: number, ssl: ConnectionOptions, onConnect?: () => void): TLSSocket {
  return tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect);
}

/**
 * kafkajs' own socket factory for TLS (servername for host names, keep-alive), whose certificate
 * errors say which broker refused, under which security protocol, and what to change — kafkajs
 * itself reports only Node's bare reason ("self-signed certificate in certificate chain").
 */
function tlsSocketFactory(connection: KafkaConnectionPlan): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = connectTls(host, port, ssl, onConnect);
    socket.setKeepAlive(true, 60_000);
    // runs before kafkajs' listener, which wraps the message into its KafkaJSConnectionError
    socket.prependListener('error', (error: Error & { code?: string }) => {
      const explained = explainTls(error, `${host}:${port}`, connection);
      if (explained) error.message = explained.message;
    });
    return socket;
  };
}

/** Kafka ApiVersions v0 (correlation id 1, no client id): answered before any SASL exchange. */
const API_VERSIONS_REQUEST = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0]);

/**
 * Checks the TLS handshake with the brokers once before the clients connect: kafkajs retries a
 * refused certificate like any connection error (a minute of retries before it gives up), while a
 * certificate that is not accepted now will not be on the next attempt. Both ways: the broker's
 * certificate, and the client's (or its absence) — under TLS 1.3 the broker refuses that after the
 * client's side of the handshake is done, so one request (ApiVersions) is sent and its answer
 * awaited. Resolves once one bootstrap server answers, or when none does for other reasons (kafkajs
 * then reports the connection).
 */
export async function checkBrokerCertificates(config: KafkaConfig, connection: KafkaConnectionPlan, timeoutMs = 10_000): Promise<void> {
  const ssl = config.ssl;
  if (!ssl || ssl === true) return;
  for (const broker of connection.bootstrapServers) {
    const cut = broker.lastIndexOf(':');
    const host = broker.slice(0, cut);
    const socket = connectTls(host, Number(broker.slice(cut + 1)), { ...ssl, timeout: timeoutMs });
    socket.on('timeout', () => socket.destroy(new Error('timed out')));
    try {
      await once(socket, 'secureConnect');
      await new Promise<void>((resolve, reject) => {
        socket.once('data', () => resolve());
        socket.once('error', reject);
        socket.once('end', () => reject(Object.assign(new Error('the broker closed the connection'), { code: 'ECONNRESET' })));
        socket.write(API_VERSIONS_REQUEST);
      });
      return;
    } catch (e) {
      const explained = explainTls(e as Error & { code?: string }, broker, connection);
      if (explained) throw new ExecutorError(explained.code, explained.message, { cause: e });
    } finally {
      socket.destroy();
    }
  }
}
