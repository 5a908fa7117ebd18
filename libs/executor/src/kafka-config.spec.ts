import type { KafkaConnectionPlan } from '@matih/contracts';
import { explainTlsError, kafkaClientConfig } from './kafka-config';

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
