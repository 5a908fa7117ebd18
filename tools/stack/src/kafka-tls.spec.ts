import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { provisionKafkaTls, kafkaCaValid, kafkaTlsValid } from './kafka-tls';
import { CREDENTIALS, layout } from './layout';

// runs the host's openssl (a few hundred ms); no network
describe('the TLS listeners\' material', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'matih-tls-'));
    fs.mkdirSync(path.join(root, 'logs'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is a CA and a server certificate it signed for 127.0.0.1 and localhost, made once and kept while valid', async () => {
    const l = layout(root);
    const lines: string[] = [];
    let stops = 0;
    const before = async () => void stops++;
    await provisionKafkaTls(l, (line) => lines.push(line), before);
    expect(kafkaTlsValid(l)).toBe(true);
    const ca = new X509Certificate(fs.readFileSync(l.kafka.tls.caCert));
    const server = new X509Certificate(fs.readFileSync(l.kafka.tls.serverCert));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(fs.statSync(l.kafka.tls.serverKey).mode & 0o077).toBe(0);
    // the mTLS client: CA-signed, for client authentication, its key encrypted with the stack's passphrase
    const client = new X509Certificate(fs.readFileSync(l.kafka.tls.clientCert));
    expect(client.subject).toBe('O=MATIH local stack\nCN=matih-client');
    expect(client.ca).toBe(false);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.toLegacyObject().ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const clientKey = fs.readFileSync(l.kafka.tls.clientKey, 'utf8');
    expect(clientKey).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(() => createPrivateKey({ key: clientKey, passphrase: 'wrong' })).toThrow();
    expect(client.checkPrivateKey(createPrivateKey({ key: clientKey, passphrase: CREDENTIALS.kafkaClientKey.password }))).toBe(true);
    expect(fs.statSync(l.kafka.tls.clientKey).mode & 0o077).toBe(0);
    expect(stops).toBe(1);

    // valid: nothing is remade, the broker is not stopped
    const caText = fs.readFileSync(l.kafka.tls.caCert, 'utf8');
    const serverText = fs.readFileSync(l.kafka.tls.serverCert, 'utf8');
    await provisionKafkaTls(l, (line) => lines.push(line), before);
    expect(stops).toBe(1);
    expect(fs.readFileSync(l.kafka.tls.serverCert, 'utf8')).toBe(serverText);

    // a lost server certificate is remade under the same CA (clients' ca.crt stays good)
    fs.rmSync(l.kafka.tls.serverCert);
    expect([kafkaCaValid(l), kafkaTlsValid(l)]).toEqual([true, false]);
    await provisionKafkaTls(l, (line) => lines.push(line), before);
    expect(stops).toBe(2);
    expect(kafkaTlsValid(l)).toBe(true);
    expect(fs.readFileSync(l.kafka.tls.caCert, 'utf8')).toBe(caText);
    expect(lines.filter((line) => line.includes('TLS:'))).toEqual([
      expect.stringContaining('made a CA'),
      expect.stringContaining('kept the CA'),
    ]);
  });

  it('is not valid without the client certificate, or with its key unencrypted', async () => {
    const l = layout(root);
    await provisionKafkaTls(l, () => undefined);
    const { clientKey, clientCert } = l.kafka.tls;
    const encrypted = fs.readFileSync(clientKey);
    fs.writeFileSync(clientKey, createPrivateKey({ key: encrypted, passphrase: CREDENTIALS.kafkaClientKey.password }).export({ type: 'pkcs8', format: 'pem' }));
    expect(kafkaTlsValid(l)).toBe(false);
    fs.writeFileSync(clientKey, encrypted);
    expect(kafkaTlsValid(l)).toBe(true);
    fs.rmSync(clientCert);
    expect(kafkaTlsValid(l)).toBe(false);
    await provisionKafkaTls(l, () => undefined);
    expect(kafkaTlsValid(l)).toBe(true);
  });

  it('is not valid with a certificate that expires soon, or a server certificate another CA signed', async () => {
    const l = layout(root);
    await provisionKafkaTls(l, () => undefined);
    expect(kafkaTlsValid(l, Date.now() + 3650 * 24 * 3600 * 1000)).toBe(false);
    fs.copyFileSync(l.kafka.tls.caCert, path.join(root, 'old-ca.crt'));
    fs.rmSync(l.kafka.tls.caKey);
    await provisionKafkaTls(l, () => undefined);
    expect(kafkaTlsValid(l)).toBe(true);
    // the new server certificate under the old CA certificate: refused
    fs.copyFileSync(path.join(root, 'old-ca.crt'), l.kafka.tls.caCert);
    expect(kafkaTlsValid(l)).toBe(false);
  });
});
