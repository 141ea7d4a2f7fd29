/**
 * Renders everything Kamailio needs into a run dir: a copy of the static deploy/kamailio/kamailio.cfg, the
 * machine-specific `cabine-local.cfg` it includes, the `subscriber` table (db_text) with the users' digest
 * hashes, and for wss a TLS config with a self-signed certificate. Nothing outside the run dir is written.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The static Kamailio config shipped in the repository. */
export const kamailioTemplateFile = fileURLToPath(new URL('./kamailio/kamailio.cfg', import.meta.url));

/** A SIP account Kamailio accepts. */
export interface SipUser {
  readonly username: string;
  readonly password: string;
}

/** What the config needs to know about this machine. Values are expected to be validated by the caller. */
export interface KamailioConfigInput {
  readonly runDir: string;
  readonly domain: string;
  readonly listenHost: string;
  readonly wsPort: number;
  readonly udpPort: number;
  readonly wssPort?: number | undefined;
  readonly users: readonly SipUser[];
}

/** Paths of the rendered files. */
export interface RenderedKamailioConfig {
  readonly configFile: string;
  readonly controlSocket: string;
  readonly pidFile: string;
}

/** Kamailio's listen syntax wants IPv6 addresses in brackets. */
export const sipHost = (host: string): string => (isIPv6(host) ? `[${host}]` : host);

/**
 * The digest hash Kamailio compares against (RFC 2617 3.2.2.2: HA1 = MD5(username:realm:password)).
 * Storing HA1 instead of the password keeps plain-text passwords out of the run dir; the realm is the domain.
 */
export const digestHa1 = (username: string, realm: string, password: string): string =>
  createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');

/**
 * Writes the db_text `subscriber` table (and its `version` row) into `<runDir>/db`. db_text re-reads a table
 * whose file changed (db_mode 1 compares mtimes), so calling this on a running server changes who may log in without
 * a restart. The file is replaced atomically (write + rename) so Kamailio never reads half a table.
 */
export async function writeSubscriberTable(runDir: string, domain: string, users: readonly SipUser[]): Promise<void> {
  const dbDir = join(runDir, 'db');
  await mkdir(dbDir, { recursive: true });
  // Table versions Kamailio 5.6's auth_db checks at start-up (utils/kamctl/dbtext/kamailio/version).
  await writeFile(join(dbDir, 'version'), 'id(int,auto) table_name(string) table_version(int) \n1:subscriber:7\n');
  const rows = users.map(
    (user, index) =>
      // id:username:domain:password:ha1:ha1b. The plain password column stays empty (calculate_ha1 = 0).
      `${index + 1}:${user.username}:${domain}::${digestHa1(user.username, domain, user.password)}:` +
      `${digestHa1(`${user.username}@${domain}`, domain, user.password)}\n`,
  );
  const header = 'id(int,auto) username(string) domain(string) password(string,null) ha1(string) ha1b(string) \n';
  const target = join(dbDir, 'subscriber');
  await writeFile(`${target}.tmp`, header + rows.join(''));
  // db_text compares mtimes in whole seconds: make sure a rewrite within the same second still looks newer.
  const previous = await stat(target).catch(() => undefined);
  if (previous !== undefined) {
    const previousSeconds = Math.floor(previous.mtimeMs / 1000);
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (nowSeconds <= previousSeconds) {
      const newer = previousSeconds + 1;
      await utimes(`${target}.tmp`, newer, newer);
    }
  }
  await rename(`${target}.tmp`, target);
}

const fileExists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** A self-signed certificate for the domain and the listen address, generated once per run dir. */
async function ensureCertificate(runDir: string, domain: string, listenHost: string): Promise<{ cert: string; key: string }> {
  const cert = join(runDir, 'tls-cert.pem');
  const key = join(runDir, 'tls-key.pem');
  if ((await fileExists(cert)) && (await fileExists(key))) {
    return { cert, key };
  }
  const altNames = [`DNS:${domain}`, 'DNS:localhost', `IP:${listenHost}`];
  try {
    await execFileAsync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365',
      '-keyout', key, '-out', cert, '-subj', `/CN=${domain}`, '-addext', `subjectAltName=${altNames.join(',')}`,
    ]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error('openssl not found: it generates the wss certificate (apt-get install openssl)', { cause: error });
    }
    throw new Error(`openssl could not generate the wss certificate: ${String(error)}`, { cause: error });
  }
  return { cert, key };
}

/** Renders the config files into the run dir (creating it) and returns their paths. */
export async function renderKamailioConfig(input: KamailioConfigInput): Promise<RenderedKamailioConfig> {
  const { runDir, domain, listenHost, wsPort, udpPort, wssPort, users } = input;
  await mkdir(runDir, { recursive: true });

  const host = sipHost(listenHost);
  const local = [
    '# Generated by deploy/kamailio-config.ts for this run dir. Do not edit: it is rewritten on every start.',
    // substdef: substituted inside strings too (plain #!define is not).
    `#!substdef "!CABINE_DOMAIN!${domain}!g"`,
    `#!substdef "!CABINE_RUN_DIR!${runDir}!g"`,
    `#!define CABINE_WS_PORT ${wsPort}`,
    `listen=udp:${host}:${udpPort}`,
    // WebSocket runs over a TCP (ws) or TLS (wss) listener; xhttp + websocket upgrade the connection.
    `listen=tcp:${host}:${wsPort}`,
  ];
  if (wssPort !== undefined) {
    const { cert, key } = await ensureCertificate(runDir, domain, listenHost);
    local.push('#!define WITH_WSS', `#!define CABINE_WSS_PORT ${wssPort}`, `listen=tls:${host}:${wssPort}`);
    await writeFile(
      join(runDir, 'tls.cfg'),
      [
        '[server:default]',
        'method = TLSv1.2+',
        // Browsers do not present client certificates.
        'verify_certificate = no',
        'require_certificate = no',
        `private_key = ${key}`,
        `certificate = ${cert}`,
        '',
      ].join('\n'),
    );
  }
  await writeFile(join(runDir, 'cabine-local.cfg'), `${local.join('\n')}\n`);
  await writeSubscriberTable(runDir, domain, users);

  const configFile = join(runDir, 'kamailio.cfg');
  await copyFile(kamailioTemplateFile, configFile);
  return { configFile, controlSocket: join(runDir, 'kamailio_ctl'), pidFile: join(runDir, 'kamailio.pid') };
}
