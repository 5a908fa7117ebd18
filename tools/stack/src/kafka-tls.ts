import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CREDENTIALS, HOST, type StackLayout } from './layout';
import { run } from './process';
import { aptInstall, onPath, provisionLog, sha256, step, type BeforeChange, type Log } from './provision';

/** Certificates are renewed when they expire within this. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const CA_DAYS = 3650;
const SERVER_DAYS = 825;
const CLIENT_DAYS = 825;
/** the subject of the mTLS listener's client certificate (the principal the broker sees: `User:CN=matih-client,O=MATIH local stack`) */
export const KAFKA_CLIENT_CN = 'matih-client';
/** the names the TLS listeners' server certificate covers: the stack binds 127.0.0.1; localhost for clients that use the name */
export const KAFKA_TLS_NAMES = { ips: [HOST], dns: ['localhost'] } as const;

const CA_CONFIG = `[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
O = MATIH local stack
CN = MATIH local stack CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

/** openssl's config for a certificate the stack's CA signs: its CN, and the extensions of `[section]`. */
function leafConfig(cn: string, section: string, usage: 'serverAuth' | 'clientAuth', extra = ''): string {
  return `[req]
distinguished_name = dn
prompt = no
[dn]
O = MATIH local stack
CN = ${cn}
[${section}]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = ${usage}
${extra}authorityKeyIdentifier = keyid
`;
}

const SERVER_CONFIG = leafConfig(
  'localhost',
  'v3_server',
  'serverAuth',
  `subjectAltName = ${[...KAFKA_TLS_NAMES.ips.map((ip) => `IP:${ip}`), ...KAFKA_TLS_NAMES.dns.map((name) => `DNS:${name}`)].join(',')}\n`,
);

const CLIENT_CONFIG = leafConfig(KAFKA_CLIENT_CN, 'v3_client', 'clientAuth');

function readCert(file: string): X509Certificate | null {
  try {
    return new X509Certificate(fs.readFileSync(file));
  } catch {
    return null;
  }
}

function keyMatches(cert: X509Certificate, keyFile: string, passphrase?: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey({ key: fs.readFileSync(keyFile), ...(passphrase === undefined ? {} : { passphrase }) }));
  } catch {
    return false;
  }
}

/** The key file is encrypted: it cannot be read without a passphrase. */
function keyEncrypted(keyFile: string): boolean {
  try {
    createPrivateKey({ key: fs.readFileSync(keyFile), passphrase: '' });
    return false;
  } catch {
    return true;
  }
}

function current(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) > now + RENEW_BEFORE_MS;
}

/** The CA is usable: a CA certificate with its key, not expiring within 30 days. */
export function kafkaCaValid(l: StackLayout, now = Date.now()): boolean {
  const ca = readCert(l.kafka.tls.caCert);
  return ca !== null && ca.ca && current(ca, now) && keyMatches(ca, l.kafka.tls.caKey);
}

/**
 * The listeners' material is usable: a valid CA; a server certificate it signed, for 127.0.0.1
 * and localhost, matching its key, not expiring within 30 days, and the keystore made from them;
 * and a client certificate it signed (CN=matih-client), not expiring within 30 days, whose key is
 * encrypted and opens with the stack's passphrase.
 */
export function kafkaTlsValid(l: StackLayout, now = Date.now()): boolean {
  const t = l.kafka.tls;
  if (!kafkaCaValid(l, now)) return false;
  const ca = readCert(t.caCert);
  const server = readCert(t.serverCert);
  const client = readCert(t.clientCert);
  if (ca === null) return false;
  /** a current leaf certificate the CA signed */
  const signed = (cert: X509Certificate | null): cert is X509Certificate => cert !== null && !cert.ca && current(cert, now) && cert.checkIssued(ca) && cert.verify(ca.publicKey);
  if (!signed(server) || !keyMatches(server, t.serverKey)) return false;
  if (!KAFKA_TLS_NAMES.ips.every((ip) => server.checkIP(ip)) || !KAFKA_TLS_NAMES.dns.every((name) => server.checkHost(name))) return false;
  if (!signed(client)) return false;
  if (!client.subject.split('\n').includes(`CN=${KAFKA_CLIENT_CN}`)) return false;
  if (!keyEncrypted(t.clientKey) || !keyMatches(client, t.clientKey, CREDENTIALS.kafkaClientKey.password)) return false;
  const keystore = fs.statSync(t.keystore, { throwIfNoEntry: false });
  return keystore !== undefined && keystore.size > 0 && keystore.mtimeMs >= fs.statSync(t.serverCert).mtimeMs;
}

/**
 * The TLS listeners' material under `.stack/kafka/tls`, made with `openssl` (Debian's package
 * installed when missing): a stack-local CA (kept while valid, so clients' `ca.crt` stays good), a
 * server key and certificate it signs (SAN 127.0.0.1, localhost), the PKCS12 keystore the broker
 * loads, and for the mTLS listener a client certificate it signs (CN=matih-client) with its key as
 * PKCS#8 PEM encrypted by `CREDENTIALS.kafkaClientKey.password`. Nothing is made when all of it is
 * valid; a running broker is stopped first (`beforeChange`) when anything is remade, as it reads
 * the keystore and truststore at start.
 */
export async function provisionKafkaTls(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<void> {
  const inputs = sha256('kafka-tls-v2', CA_CONFIG, SERVER_CONFIG, CLIENT_CONFIG, CREDENTIALS.kafkaKeystore.password, CREDENTIALS.kafkaClientKey.password);
  await step(l, 'kafka', 'kafka-tls', inputs, log, () => kafkaTlsValid(l), () => makeKafkaTls(l, log), beforeChange);
}

async function makeKafkaTls(l: StackLayout, log: Log): Promise<void> {
  if (!onPath('openssl')) await aptInstall(l, ['openssl'], log);
  const t = l.kafka.tls;
  const tmp = `${t.dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  fs.mkdirSync(t.dir, { recursive: true, mode: 0o700 });
  const at = (file: string) => path.join(tmp, path.basename(file));
  const openssl = (args: string[]) => run('openssl', args, { cwd: tmp, env: { ...process.env, MATIH_KEYSTORE_PASSWORD: CREDENTIALS.kafkaKeystore.password, MATIH_CLIENT_KEY_PASSWORD: CREDENTIALS.kafkaClientKey.password }, logFile: provisionLog(l) });
  const keepCa = kafkaCaValid(l);
  if (keepCa) {
    fs.copyFileSync(t.caCert, at(t.caCert));
    fs.copyFileSync(t.caKey, at(t.caKey));
  } else {
    fs.writeFileSync(path.join(tmp, 'ca.cnf'), CA_CONFIG);
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(CA_DAYS), '-config', 'ca.cnf', '-keyout', at(t.caKey), '-out', at(t.caCert)]);
  }
  /** The CA signs `<name>.csr` with the extensions of `<name>.cnf`'s `[v3_<name>]`. */
  const sign = (name: 'server' | 'client', days: number, out: string) =>
    openssl([
      'x509', '-req', '-in', `${name}.csr`, '-CA', at(t.caCert), '-CAkey', at(t.caKey), '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-sha256', '-days', String(days), '-extfile', `${name}.cnf`, '-extensions', `v3_${name}`, '-out', out,
    ]);
  fs.writeFileSync(path.join(tmp, 'server.cnf'), SERVER_CONFIG);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-config', 'server.cnf', '-keyout', at(t.serverKey), '-out', 'server.csr']);
  await sign('server', SERVER_DAYS, at(t.serverCert));
  await openssl(['pkcs12', '-export', '-in', at(t.serverCert), '-inkey', at(t.serverKey), '-certfile', at(t.caCert), '-name', 'kafka', '-out', at(t.keystore), '-passout', 'env:MATIH_KEYSTORE_PASSWORD']);
  // the mTLS client: its key encrypted (PKCS#8, AES-256-CBC) so clients exercise ssl.key_password
  fs.writeFileSync(path.join(tmp, 'client.cnf'), CLIENT_CONFIG);
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes-256-cbc', '-pass', 'env:MATIH_CLIENT_KEY_PASSWORD', '-out', at(t.clientKey)]);
  await openssl(['req', '-new', '-key', at(t.clientKey), '-passin', 'env:MATIH_CLIENT_KEY_PASSWORD', '-config', 'client.cnf', '-out', 'client.csr']);
  await sign('client', CLIENT_DAYS, at(t.clientCert));
  for (const key of [t.caKey, t.serverKey, t.keystore, t.clientKey]) fs.chmodSync(at(key), 0o600);
  // the keystore last: kafkaTlsValid wants it no older than the certificate
  for (const file of [t.caKey, t.caCert, t.serverKey, t.serverCert, t.clientKey, t.clientCert, t.keystore]) fs.renameSync(at(file), file);
  fs.rmSync(tmp, { recursive: true, force: true });
  log(
    `[kafka] TLS: ${keepCa ? 'kept the CA' : 'made a CA'} (${t.caCert}), made the server certificate for ${[...KAFKA_TLS_NAMES.ips, ...KAFKA_TLS_NAMES.dns].join(', ')} ` +
      `and the client certificate CN=${KAFKA_CLIENT_CN} (${t.clientCert}, encrypted key ${t.clientKey})`,
  );
}
