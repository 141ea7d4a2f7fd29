/**
 * Renders everything Kamailio needs into a run dir: a copy of the static deploy/kamailio/kamailio.cfg, the
 * machine-specific `cabine-local.cfg` it includes, the `subscriber` table (db_text) with the users' digest
 * hashes, and for wss a TLS config with a self-signed certificate. Nothing outside the run dir is written.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { access, chmod, copyFile, mkdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureKamailioState, kamailioStateDefines } from './kamailio-state.js';

const execFileAsync = promisify(execFile);

/** The static Kamailio config shipped in the repository. */
export const kamailioTemplateFile = fileURLToPath(new URL('./kamailio/kamailio.cfg', import.meta.url));

/** A static SIP account Kamailio accepts (db_text `subscriber`), in `domain` (default: the server's domain). */
export interface SipUser {
  readonly username: string;
  readonly password: string;
  readonly domain?: string | undefined;
}

/**
 * One rewrite of the number sent to the trunk: the first rule whose `prefix` starts the number wins; it
 * removes `strip` leading characters and puts `prepend` in front. E.g. a carrier that wants 00 instead of
 * '+': `{ prefix: '+', strip: 1, prepend: '00' }`. Numbers no rule matches go as they are (E.164 with '+'
 * for paid calls, the dialled short code for emergency calls).
 */
export interface TrunkPrefixRule {
  readonly prefix: string;
  readonly strip: number;
  readonly prepend: string;
}

/** The carrier trunk calls to the phone network leave through. */
export interface TrunkConfig {
  /** ip:port of the carrier's SIP server (UDP). */
  readonly address: string;
  readonly prefixRules: readonly TrunkPrefixRule[];
}

/** The manager Kamailio asks before a call leaves the company and reports calls to. */
export interface BillingConfig {
  /** Base URL of the API, e.g. http://127.0.0.1:15000/api/v1 */
  readonly apiUrl: string;
  /** Sent as X-Cabine-Proxy-Secret. */
  readonly proxySecret: string;
  /** Whole seconds (http_client's unit) before an unanswered authorize refuses the call. */
  readonly authorizeTimeoutSeconds: number;
}

/**
 * How the proxy resists guessing and floods, and which pages may open a WebSocket to it. The defaults are
 * for production: nobody exempt from flood bans, and of browser pages only the desktop app's.
 */
export interface GuardConfig {
  /** Sources never banned for floods or failed passwords (CIDR), e.g. the machine running load tests. */
  readonly floodExempt: readonly string[];
  /** How long a ban or lockout lasts, seconds (Kamailio's reference configuration: 300). */
  readonly banSeconds: number;
  /** Failed digest attempts for one user (from anywhere) before it is locked out. */
  readonly authFailsPerUser: number;
  /** Failed digest attempts from one source address before it is banned. */
  readonly authFailsPerSource: number;
  /**
   * Origins whose pages may open a WebSocket (RFC 6455 10.2): exact origins such as `cabine://app` or
   * `https://phone.example.com`; a `:*` port matches any port (`http://127.0.0.1:*`, for development).
   */
  readonly allowedOrigins: readonly string[];
}

export const defaultGuard: GuardConfig = {
  floodExempt: [],
  banSeconds: 300,
  authFailsPerUser: 5,
  authFailsPerSource: 10,
  // The desktop app's own origin (electron/app-protocol.ts): no web page can claim it. A deployment adds the
  // web softphone's origin.
  allowedOrigins: ['cabine://app'],
};

/** A POSIX regex matching a Route header value whose entries (one or two) all name one of `hosts`. */
export function ownRoutePattern(hosts: readonly string[]): string {
  const entry = `<sip:(${hosts.map((host) => escapeRegex(sipHost(host))).join('|')})(:[0-9]{1,5})?(;[^>,]*)?>`;
  return `^${entry}([ \t]*,[ \t]*${entry})?$`;
}

/** A POSIX regex matching exactly the allowed origins (`:*` = any port). */
export function originPattern(origins: readonly string[]): string {
  const alternatives = origins.map((origin) =>
    origin.endsWith(':*') ? `${escapeRegex(origin.slice(0, -2))}(:[0-9]{1,5})?` : escapeRegex(origin),
  );
  return `^(${alternatives.join('|')})$`;
}

/** A certificate for wss issued by a real CA: PEM files, the chain with the leaf first. */
export interface TlsCertificateFiles {
  readonly chainFile: string;
  readonly keyFile: string;
}

/** What the config needs to know about this machine. Values are expected to be validated by the caller. */
export interface KamailioConfigInput {
  readonly runDir: string;
  /**
   * The default SIP domain (the alias, the demo accounts' domain). Every company's domain is served: the
   * static accounts' domains, and any other the manager names (route[SERVED_DOMAIN] in kamailio.cfg).
   */
  readonly domain: string;
  readonly listenHost: string;
  readonly wsPort: number;
  readonly udpPort: number;
  readonly wssPort?: number | undefined;
  /** The wss certificate chain (leaf first, then intermediates) and its key; absent: a self-signed one. */
  readonly tlsCertificate?: TlsCertificateFiles | undefined;
  readonly users: readonly SipUser[];
  /**
   * Secret shared with the manager for auth_ephemeral credentials (`<expiry>:<extension>@<domain>`: the
   * domain is signed, so one secret serves every company's domain).
   */
  readonly ephemeralSecret: string;
  /** Absent: calls to the phone network are refused (503), emergency calls too (no route). */
  readonly billing?: BillingConfig | undefined;
  /** Absent: calls outside the company are refused (403). */
  readonly trunk?: TrunkConfig | undefined;
  /** rtpengine's ng socket, e.g. udp:127.0.0.1:22222; absent: no media relay (WebRTC to WebRTC only). */
  readonly rtpengineSocket?: string | undefined;
  /** Anchor WebRTC-to-WebRTC media at rtpengine too (WITH_RELAY_ALL_MEDIA); only with rtpengineSocket. */
  readonly relayAllMedia?: boolean | undefined;
  /** Emergency short codes of the company's country (shared/numbering/emergency-numbers.ts). */
  readonly emergencyNumbers: readonly string[];
  /**
   * The company extensions as a POSIX regex (`extensionRegexFor(country)` in shared/numbering/extension-range.ts:
   * 1xxx/2xxx minus the country's short numbers, so 1014 is never a colleague); default `extensionPattern`.
   */
  readonly extensionPattern?: string | undefined;
  /** Paid calls one user may start per minute. */
  readonly paidCallsPerMinute: number;
  readonly guard: GuardConfig;
}

/** Regex metacharacters escaped, for values that go into Kamailio regular expressions. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, (char) => `\\${char}`);

/**
 * Company extensions: four digits starting with 1 or 2, the rule of shared/numbering/classify.ts
 * (`classifyShortCode`, kind "internal").
 */
export const extensionPattern = '^[12][0-9]{3}$';

/** A Kamailio regex matching exactly the given SIP domains (lower-cased, deduplicated). */
export function domainsPattern(domains: readonly string[]): string {
  return `^(${[...new Set(domains.map((domain) => domain.toLowerCase()))].map(escapeRegex).join('|')})$`;
}

/** A Kamailio regex matching exactly the emergency short codes. */
export function emergencyPattern(numbers: readonly string[]): string {
  return `^(${numbers.map(escapeRegex).join('|')})$`;
}

/** route[TRUNK_NUMBER] from the trunk's prefix rules (first match wins). */
export function renderTrunkRoute(trunk: TrunkConfig | undefined): string {
  const lines = [
    '# Generated by deploy/kamailio-config.ts from the trunk\'s prefix rules. Do not edit.',
    'route[TRUNK_NUMBER] {',
  ];
  for (const rule of trunk?.prefixRules ?? []) {
    lines.push(
      `\tif ($rU =~ "^${escapeRegex(rule.prefix)}") {`,
      `\t\t$rU = "${rule.prepend}" + $(rU{s.substr,${rule.strip},0});`,
      '\t\treturn;',
      '\t}',
    );
  }
  // An empty block is a syntax error: always end with a statement.
  lines.push('\treturn;', '}', '');
  return lines.join('\n');
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
export async function writeSubscriberTable(runDir: string, defaultDomain: string, users: readonly SipUser[]): Promise<void> {
  const dbDir = join(runDir, 'db');
  await mkdir(dbDir, { recursive: true });
  // Table versions Kamailio 5.6's auth_db checks at start-up (utils/kamctl/dbtext/kamailio/version).
  await writeFile(join(dbDir, 'version'), 'id(int,auto) table_name(string) table_version(int) \n1:subscriber:7\n');
  const rows = users.map((user, index) => {
    // usrloc and auth_db use_domain 1: the realm is the account's own domain.
    const domain = (user.domain ?? defaultDomain).toLowerCase();
    // id:username:domain:password:ha1:ha1b. The plain password column stays empty (calculate_ha1 = 0).
    return `${index + 1}:${user.username}:${domain}::${digestHa1(user.username, domain, user.password)}:` +
      `${digestHa1(`${user.username}@${domain}`, domain, user.password)}\n`;
  });
  const header = 'id(int,auto) username(string) domain(string) password(string,null) ha1(string) ha1b(string) \n';
  const target = join(dbDir, 'subscriber');
  // Digest hashes are password equivalents for this realm: owner only.
  await writeFile(`${target}.tmp`, header + rows.join(''), { mode: 0o600 });
  await chmod(`${target}.tmp`, 0o600);
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

/** Writes a file only its owner can read or write, also when it already existed with wider permissions. */
async function writeSecretFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
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
  await chmod(key, 0o600);
  return { cert, key };
}

/** Renders the config files into the run dir (creating it) and returns their paths. */
export async function renderKamailioConfig(input: KamailioConfigInput): Promise<RenderedKamailioConfig> {
  const { runDir, domain, listenHost, wsPort, udpPort, wssPort, users, billing, trunk } = input;
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await chmod(runDir, 0o700);

  const host = sipHost(listenHost);
  const local = [
    '# Generated by deploy/kamailio-config.ts for this run dir. Do not edit: it is rewritten on every start.',
    // substdef: substituted inside strings too (plain #!define is not).
    `#!substdef "!CABINE_DOMAIN!${domain}!g"`,
    `#!substdef "!CABINE_RUN_DIR!${runDir}!g"`,
    `#!define CABINE_WS_PORT ${wsPort}`,
    // One secret for every domain: the domain is inside the signed username (manager/src/auth/sip-credentials.ts).
    `#!substdef "!CABINE_EPHEMERAL_SECRET!${input.ephemeralSecret}!g"`,
    // Domains served without asking the manager: the default one and the static accounts' (route[SERVED_DOMAIN]).
    `#!define CABINE_STATIC_DOMAINS_RE "${domainsPattern([domain, ...users.flatMap((user) => (user.domain === undefined ? [] : [user.domain]))])}"`,
    // Always defined, so the config parses the same with or without a manager; WITH_BILLING decides.
    `#!substdef "!CABINE_MANAGER_URL!${billing?.apiUrl ?? 'http://127.0.0.1:9/api/v1'}!g"`,
    `#!substdef "!CABINE_PROXY_SECRET!${billing?.proxySecret ?? 'none'}!g"`,
    `#!define CABINE_AUTHORIZE_TIMEOUT ${billing?.authorizeTimeoutSeconds ?? 1}`,
    `#!substdef "!CABINE_TRUNK_ADDRESS!${trunk?.address ?? '127.0.0.1:9'}!g"`,
    `#!substdef "!CABINE_RTPENGINE_SOCK!${input.rtpengineSocket ?? 'udp:127.0.0.1:9'}!g"`,
    // Regexes end in '$', which substdef's replacement part would read as a back-reference: quoted defines,
    // used as whole tokens.
    `#!define CABINE_EMERGENCY_RE "${emergencyPattern(input.emergencyNumbers)}"`,
    `#!define CABINE_EXTENSION_RE "${input.extensionPattern ?? extensionPattern}"`,
    // One Route header of ours (rr: our listen address or the domain, one or two entries with double RR).
    `#!define CABINE_OWN_ROUTE_RE "${ownRoutePattern([listenHost, domain])}"`,
    `#!define CABINE_PAID_CALLS_PER_MINUTE ${input.paidCallsPerMinute}`,
    ...kamailioStateDefines(runDir),
    // An empty list must still parse: 255.255.255.255/32 is never a packet's source.
    `#!substdef "!CABINE_FLOOD_EXEMPT!${input.guard.floodExempt.length > 0 ? input.guard.floodExempt.join(',') : '255.255.255.255/32'}!g"`,
    `#!substdef "!CABINE_BAN_SECONDS!${input.guard.banSeconds}!g"`,
    `#!define CABINE_AUTH_FAILS_PER_USER ${input.guard.authFailsPerUser}`,
    `#!define CABINE_AUTH_FAILS_PER_SOURCE ${input.guard.authFailsPerSource}`,
    // No allowed origin: a regex no Origin header can match (origins have no spaces).
    `#!define CABINE_ORIGIN_RE "${input.guard.allowedOrigins.length > 0 ? originPattern(input.guard.allowedOrigins) : '^ $'}"`,
    ...(billing === undefined ? [] : ['#!define WITH_BILLING']),
    ...(trunk === undefined ? [] : ['#!define WITH_TRUNK']),
    ...(input.rtpengineSocket === undefined ? [] : ['#!define WITH_RTPENGINE']),
    ...(input.rtpengineSocket !== undefined && input.relayAllMedia === true ? ['#!define WITH_RELAY_ALL_MEDIA'] : []),
    // The proxy's own UDP socket: the balance announcement's early-media leg is a request the proxy sends to
    // itself there (route[ANNOUNCE] and route[ANNOUNCE_LEG] in kamailio.cfg).
    `#!substdef "!CABINE_SELF_UDP!${host}:${udpPort}!g"`,
    `#!substdef "!CABINE_SELF_IP!${listenHost}!g"`,
    `#!define CABINE_SELF_UDP_PORT ${udpPort}`,
    `listen=udp:${host}:${udpPort}`,
    // WebSocket runs over a TCP (ws) or TLS (wss) listener; xhttp + websocket upgrade the connection.
    `listen=tcp:${host}:${wsPort}`,
  ];
  if (wssPort !== undefined) {
    const { cert, key } = input.tlsCertificate
      ? { cert: input.tlsCertificate.chainFile, key: input.tlsCertificate.keyFile }
      : await ensureCertificate(runDir, domain, listenHost);
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
  // The local config holds the secrets shared with the manager: readable by the service user only.
  await writeSecretFile(join(runDir, 'cabine-local.cfg'), `${local.join('\n')}\n`);
  await writeFile(join(runDir, 'cabine-routes.cfg'), renderTrunkRoute(trunk));
  await writeSubscriberTable(runDir, domain, users);
  // Dialogs and the charging queue on disk (kept across restarts: created when missing, never emptied).
  await ensureKamailioState(runDir);

  const configFile = join(runDir, 'kamailio.cfg');
  await copyFile(kamailioTemplateFile, configFile);
  return { configFile, controlSocket: join(runDir, 'kamailio_ctl'), pidFile: join(runDir, 'kamailio.pid') };
}
