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
/** the names the SASL_SSL listener's certificate covers: the stack binds 127.0.0.1; localhost for clients that use the name */
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

const SERVER_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
O = MATIH local stack
CN = localhost
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${[...KAFKA_TLS_NAMES.ips.map((ip) => `IP:${ip}`), ...KAFKA_TLS_NAMES.dns.map((name) => `DNS:${name}`)].join(',')}
authorityKeyIdentifier = keyid
`;

function readCert(file: string): X509Certificate | null {
  try {
    return new X509Certificate(fs.readFileSync(file));
  } catch {
    return null;
  }
}

function keyMatches(cert: X509Certificate, keyFile: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(fs.readFileSync(keyFile)));
  } catch {
    return false;
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
 * The listener's material is usable: a valid CA, and a server certificate it signed, for 127.0.0.1
 * and localhost, matching its key, not expiring within 30 days, and the keystore made from them.
 */
export function kafkaTlsValid(l: StackLayout, now = Date.now()): boolean {
  const t = l.kafka.tls;
  if (!kafkaCaValid(l, now)) return false;
  const ca = readCert(t.caCert);
  const server = readCert(t.serverCert);
  if (ca === null || server === null || !current(server, now) || !keyMatches(server, t.serverKey)) return false;
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) return false;
  if (!KAFKA_TLS_NAMES.ips.every((ip) => server.checkIP(ip)) || !KAFKA_TLS_NAMES.dns.every((name) => server.checkHost(name))) return false;
  const keystore = fs.statSync(t.keystore, { throwIfNoEntry: false });
  return keystore !== undefined && keystore.size > 0 && keystore.mtimeMs >= fs.statSync(t.serverCert).mtimeMs;
}

/**
 * The SASL_SSL listener's TLS material under `.stack/kafka/tls`, made with `openssl` (Debian's
 * package installed when missing): a stack-local CA (kept while valid, so clients' `ca.crt` stays
 * good), a server key and certificate it signs (SAN 127.0.0.1, localhost), and the PKCS12 keystore
 * the broker loads. Nothing is made when all of it is valid; a running broker is stopped first
 * (`beforeChange`) when anything is remade, as it reads the keystore at start.
 */
export async function provisionKafkaTls(l: StackLayout, log: Log, beforeChange?: BeforeChange): Promise<void> {
  const inputs = sha256('kafka-tls-v1', CA_CONFIG, SERVER_CONFIG, CREDENTIALS.kafkaKeystore.password);
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
  const openssl = (args: string[]) => run('openssl', args, { cwd: tmp, env: { ...process.env, MATIH_KEYSTORE_PASSWORD: CREDENTIALS.kafkaKeystore.password }, logFile: provisionLog(l) });
  const keepCa = kafkaCaValid(l);
  if (keepCa) {
    fs.copyFileSync(t.caCert, at(t.caCert));
    fs.copyFileSync(t.caKey, at(t.caKey));
  } else {
    fs.writeFileSync(path.join(tmp, 'ca.cnf'), CA_CONFIG);
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(CA_DAYS), '-config', 'ca.cnf', '-keyout', at(t.caKey), '-out', at(t.caCert)]);
  }
  fs.writeFileSync(path.join(tmp, 'server.cnf'), SERVER_CONFIG);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-config', 'server.cnf', '-keyout', at(t.serverKey), '-out', 'server.csr']);
  await openssl([
    'x509', '-req', '-in', 'server.csr', '-CA', at(t.caCert), '-CAkey', at(t.caKey), '-set_serial', `0x${randomBytes(16).toString('hex')}`,
    '-sha256', '-days', String(SERVER_DAYS), '-extfile', 'server.cnf', '-extensions', 'v3_server', '-out', at(t.serverCert),
  ]);
  await openssl(['pkcs12', '-export', '-in', at(t.serverCert), '-inkey', at(t.serverKey), '-certfile', at(t.caCert), '-name', 'kafka', '-out', at(t.keystore), '-passout', 'env:MATIH_KEYSTORE_PASSWORD']);
  for (const key of [t.caKey, t.serverKey, t.keystore]) fs.chmodSync(at(key), 0o600);
  // the keystore last: kafkaTlsValid wants it no older than the certificate
  for (const file of [t.caKey, t.caCert, t.serverKey, t.serverCert, t.keystore]) fs.renameSync(at(file), file);
  fs.rmSync(tmp, { recursive: true, force: true });
  log(`[kafka] TLS: ${keepCa ? 'kept the CA' : 'made a CA'} (${t.caCert}), made the server certificate for ${[...KAFKA_TLS_NAMES.ips, ...KAFKA_TLS_NAMES.dns].join(', ')}`);
}
