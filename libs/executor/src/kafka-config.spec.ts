import type { KafkaConnectionPlan } from '@matih/contracts';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExecutorErrorCode } from './errors';
import { explainClientCertificateError, explainTlsError, kafkaClientConfig } from './kafka-config';

const tls: KafkaConnectionPlan = {
  bootstrapServers: ['kafka-0.example:9093', 'kafka-1.example:9093'],
  securityProtocol: 'SASL_SSL',
  sasl: { mechanism: 'PLAIN', username: 'u', password: { env: 'KAFKA_PW' } },
  ssl: null,
};

describe('kafka client settings', () => {
  it('SASL_SSL: TLS that checks the chain, SASL with the password from the environment', () => {
    const config = kafkaClientConfig(tls, 'c', { KAFKA_PW: 'pw' });
    expect(config.ssl).toEqual({ rejectUnauthorized: true });
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'pw' });
    expect(typeof config.socketFactory).toBe('function');
  });

  describe('an encrypted client key', () => {
    let dir: string;
    let keyLocation: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matih-key-'));
      keyLocation = path.join(dir, 'user.key');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      fs.writeFileSync(keyLocation, privateKey);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const mtls = (keyPassword: { env: string } | null): KafkaConnectionPlan => ({
      bootstrapServers: ['kafka-0.example:9093'],
      securityProtocol: 'SSL',
      sasl: null,
      ssl: { caLocation: null, certificateLocation: null, keyLocation, keyPassword, verifyHostname: true },
    });

    it('opens with the passphrase from the environment', () => {
      expect(kafkaClientConfig(mtls({ env: 'KEY_PW' }), 'c', { KEY_PW: 'right' }).ssl).toMatchObject({ passphrase: 'right' });
    });

    it('with a wrong passphrase is refused at once, naming the key file and connection.ssl.key_password', () => {
      expect(() => kafkaClientConfig(mtls({ env: 'KEY_PW' }), 'c', { KEY_PW: 'wrong' })).toThrow(
        expect.objectContaining({
          code: ExecutorErrorCode.ClientCertificate,
          message: `the client key ${keyLocation} (connection.ssl.key_location) could not be decrypted with the passphrase from connection.ssl.key_password (\${KEY_PW}): bad decrypt. Set KEY_PW to the passphrase the key is encrypted with`,
        }),
      );
    });

    it('without a passphrase: set connection.ssl.key_password', () => {
      expect(() => kafkaClientConfig(mtls(null), 'c', {})).toThrow(`the client key ${keyLocation} (connection.ssl.key_location) is encrypted and no connection.ssl.key_password is set`);
    });
  });

  it('PLAINTEXT keeps kafkajs defaults (no TLS, no socket factory)', () => {
    const config = kafkaClientConfig({ ...tls, securityProtocol: 'PLAINTEXT', sasl: null }, 'c', {});
    expect(config.ssl).toBeUndefined();
    expect(config.socketFactory).toBeUndefined();
  });
});

describe('TLS failures name the broker, the protocol and the setting to change', () => {
  it('an untrusted chain without a CA file: set connection.ssl.ca_location', () => {
    const message = explainTlsError({ message: 'self-signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'kafka-0.example:9093', tls);
    expect(message).toBe(
      'the TLS certificate of Kafka broker kafka-0.example:9093 (bootstrap servers kafka-0.example:9093,kafka-1.example:9093, security protocol SASL_SSL) was refused: ' +
        "self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN). No connection.ssl.ca_location is set, so only the system's trusted CAs are accepted: " +
        "set connection.ssl.ca_location to the PEM file of the CA that signed the brokers' certificates (Strimzi: ca.crt of the <cluster>-cluster-ca-cert secret)",
    );
  });

  it('an untrusted chain with a CA file names that file', () => {
    const withCa = { ...tls, ssl: { caLocation: '/etc/kafka/ca.crt', certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: true } };
    expect(explainTlsError({ message: 'unable to get local issuer certificate', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, 'kafka-0.example:9093', withCa)).toContain(
      'It is not signed by the CA in /etc/kafka/ca.crt: set connection.ssl.ca_location',
    );
  });

  it('a certificate for another name: connect by a covered name or set verify_hostname: false', () => {
    expect(explainTlsError({ message: "Hostname/IP does not match certificate's altnames", code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, '10.0.0.5:9093', tls)).toContain(
      'set connection.ssl.verify_hostname: false (the chain is still checked)',
    );
  });

  it('leaves other connection errors as they are', () => {
    expect(explainTlsError({ message: 'connect ECONNREFUSED 127.0.0.1:9093', code: 'ECONNREFUSED' }, '127.0.0.1:9093', tls)).toBeNull();
  });
});

describe('a broker closing the TLS handshake over the client certificate', () => {
  const settings = { caLocation: '/ca.crt', certificateLocation: null, keyLocation: null, keyPassword: null, verifyHostname: true };
  const ssl: KafkaConnectionPlan = { bootstrapServers: ['kafka-0.example:9093'], securityProtocol: 'SSL', sasl: null, ssl: settings };
  const alert = { message: 'C0:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:rec_layer_s3.c:1601:SSL alert number 42', code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' };

  it('without a client certificate: the broker may require one, set certificate_location and key_location', () => {
    expect(explainClientCertificateError(alert, 'kafka-0.example:9093', ssl)).toBe(
      'Kafka broker kafka-0.example:9093 (bootstrap servers kafka-0.example:9093, security protocol SSL) closed the TLS handshake: TLS alert "bad certificate" (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE). ' +
        'No client certificate is set, and the broker may require one (mutual TLS; Strimzi: a listener with authentication: tls): set connection.ssl.certificate_location and connection.ssl.key_location ' +
        "to the client's PEM certificate and key (Strimzi: user.crt and user.key of the KafkaUser's secret), and connection.ssl.key_password if the key is encrypted",
    );
    expect(explainClientCertificateError({ message: 'socket hang up', code: 'ECONNRESET' }, 'kafka-0.example:9093', ssl)).toContain('the broker may require one');
  });

  it('with a client certificate the broker does not trust: names the file', () => {
    const withCert = { ...ssl, ssl: { ...settings, certificateLocation: '/user.crt', keyLocation: '/user.key' } };
    expect(explainClientCertificateError({ message: 'alert unknown ca', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, 'kafka-0.example:9093', withCert)).toContain(
      'The broker did not accept the client certificate /user.crt (connection.ssl.certificate_location)',
    );
    expect(explainClientCertificateError({ message: 'socket hang up', code: 'ECONNRESET' }, 'kafka-0.example:9093', withCert)).toBeNull();
  });

  it('leaves other errors as they are', () => {
    expect(explainClientCertificateError({ message: 'connect ECONNREFUSED 127.0.0.1:9093', code: 'ECONNREFUSED' }, '127.0.0.1:9093', ssl)).toBeNull();
  });
});
