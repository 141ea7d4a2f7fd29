import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A three-level PKI made for one test run: root → intermediate → server certificate. PEM files. */
export interface TestPki {
  /** The root, the only thing a client is told to trust. */
  readonly rootFile: string;
  readonly rootPem: string;
  /** What the server presents: its certificate, then the intermediate (the root is never sent). */
  readonly chainFile: string;
  readonly keyFile: string;
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * Issues a root CA, an intermediate CA (path length 0) and a server certificate for `names` (DNS names and
 * IP addresses, as subjectAltName) with openssl, valid two days (browsers refuse server certificates valid
 * over 398 days). No AIA: a client can only build the chain from what the server sends.
 */
export async function issueTestPki(dir: string, names: { readonly dns: readonly string[]; readonly ip: readonly string[] }): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('root.key'), '-out', file('root.pem'), '-days', '2', '-subj', '/CN=Cabine Test Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', file('intermediate.key'), '-out', file('intermediate.csr'), '-subj', '/CN=Cabine Test Intermediate CA']);
  await writeFile(file('intermediate.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  await run('openssl', ['x509', '-req', '-in', file('intermediate.csr'), '-CA', file('root.pem'), '-CAkey', file('root.key'), '-CAcreateserial',
    '-out', file('intermediate.pem'), '-days', '2', '-extfile', file('intermediate.ext')]);
  const altNames = [...names.dns.map((name) => `DNS:${name}`), ...names.ip.map((ip) => `IP:${ip}`)].join(',');
  await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${names.dns[0] ?? names.ip[0] ?? 'server'}`]);
  await writeFile(file('server.ext'), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`);
  await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('intermediate.pem'), '-CAkey', file('intermediate.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext')]);
  const chain = `${await readFile(file('server.pem'), 'utf8')}${await readFile(file('intermediate.pem'), 'utf8')}`;
  await writeFile(file('chain.pem'), chain);
  return { rootFile: file('root.pem'), rootPem: await readFile(file('root.pem'), 'utf8'), chainFile: file('chain.pem'), keyFile: file('server.key') };
}

/**
 * A HOME for Chromium whose NSS database (~/.pki/nssdb, what Chromium on Linux trusts besides the system
 * store) holds `rootFile` as a trusted CA for TLS servers. Needs certutil (Debian: libnss3-tools).
 */
export async function chromiumHomeTrusting(home: string, rootFile: string | null): Promise<string> {
  const db = join(home, '.pki', 'nssdb');
  await mkdir(db, { recursive: true });
  await run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  if (rootFile !== null) await run('certutil', ['-A', '-d', `sql:${db}`, '-n', 'Cabine Test Root CA', '-t', 'C,,', '-i', rootFile]);
  return home;
}
