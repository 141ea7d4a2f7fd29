/**
 * A real attacker's tools against the real proxy: Debian's SIPVicious 0.3.3 (`svmap` finds SIP servers,
 * `svwar` enumerates extensions, `svcrack` guesses passwords), with their default "friendly-scanner"
 * User-Agent, which the proxy logs but does not drop (the defences must hold without it).
 * What must hold: svmap finds the server (a proxy is no secret), svwar cannot tell existing extensions from
 * missing ones (everyone gets the same challenge), and svcrack is locked out before it reaches the right
 * password. Controls prove the tools really talked to the proxy: svwar's probes are counted by the proxy,
 * and svcrack's right guess for a user not yet locked out does authenticate (the log shows the registrar,
 * which runs only after authentication, refusing its Contact), so "not found" means locked out, not broken
 * tooling.
 * Note: SIPVicious sends from 127.0.0.1 here whatever its -b option says, so the per-user lockout (not the
 * per-source ban, which 127.0.0.1 is exempt from in the local stack) is what stops svcrack.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';

const execFileAsync = promisify(execFile);

const users = [
  { username: '2001', password: 'summer-2001' },
  { username: '2002', password: 'autumn-2002' },
];

describe('SIPVicious against the proxy', () => {
  let runDir: string;
  let stack: LocalStack;

  /** Runs one SIPVicious tool against the proxy; its whole output (they print results on stderr too). */
  const sipvicious = async (tool: 'svmap' | 'svwar' | 'svcrack', args: readonly string[]): Promise<string> => {
    const { stdout, stderr } = await execFileAsync(tool, ['-p', String(stack.kamailio.udpPort), ...args, '127.0.0.1'], {
      cwd: runDir, timeout: 60_000, env: { ...process.env, HOME: runDir },
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
    return `${stdout}\n${stderr}`;
  };

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-sipvicious-'));
    stack = await startLocalStack({ runDir, users, manager: false, carrier: false, rtpengine: false });
  });

  afterAll(async () => {
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it('svmap finds the server', async () => {
    const output = await sipvicious('svmap', []);
    expect(output).toContain(`127.0.0.1:${stack.kamailio.udpPort}`);
  });

  it('svwar cannot tell existing extensions from missing ones', async () => {
    const scannersSeen = async (): Promise<number> => Number(/value:\s*(\d+)/.exec(await stack.kamailio.rpc(['pv.shvGet', 'scanners_seen']))?.[1] ?? Number.NaN);
    for (const method of ['REGISTER', 'INVITE', 'OPTIONS']) {
      const before = await scannersSeen();
      const output = await sipvicious('svwar', ['-e', '1990-2010', '-m', method, '--domain', stack.domain]);
      // Control: its probes did reach the proxy (counted by their friendly-scanner User-Agent).
      expect(await scannersSeen(), method).toBeGreaterThan(before);
      expect(output, method).toMatch(/found nothing/);
      expect(output, method).not.toMatch(/\|\s*200[12]\s*\|/);
      // With --force it reports every extension alike, or none: still no way to pick out 2001 and 2002.
      const forced = await sipvicious('svwar', ['-e', '1998-2003', '-m', method, '--force', '--domain', stack.domain]);
      const listed = [...forced.matchAll(/\|\s*(\d{4})\s*\|/g)].map((match) => match[1]);
      expect(listed.includes('2001') === listed.includes('1999'), `${method}: ${forced}`).toBe(true);
    }
  });

  it('svcrack is locked out after 5 wrong guesses; its right guess did authenticate before (control)', async () => {
    const log = join(runDir, 'kamailio', 'kamailio.log');
    const dictionary = join(runDir, 'passwords.txt');
    // Control: the right password third, after two wrong ones (below the lockout). svcrack's guess
    // authenticates: the registrar, which runs only after authentication, then refuses the Contact it
    // registers (1.1.1.1, its guess of its own address, is not where it sends from), so svcrack reports
    // nothing either way; the log shows how far it got.
    await writeFile(dictionary, ['123456', 'password', 'autumn-2002', 'qwerty', ''].join('\n'));
    await sipvicious('svcrack', ['-u', '2002', '-d', dictionary, '--domain', stack.domain]);
    expect(await readFile(log, 'utf8')).toMatch(/refusing REGISTER of 2002 from .*: Contact host [0-9.]+ is not its source/);

    // The right password eighth: the user is locked out after the fifth wrong guess, and the right guess
    // never reaches the password check.
    await writeFile(dictionary, ['123456', 'password', '2001', '12345', 'qwerty', 'letmein', 'admin', 'summer-2001', 'welcome', ''].join('\n'));
    const locked = await sipvicious('svcrack', ['-u', '2001', '-d', dictionary, '--domain', stack.domain]);
    expect(locked).not.toContain('summer-2001');
    expect(locked).toMatch(/found nothing/);
    const text = await readFile(log, 'utf8');
    expect(text).toMatch(/ban: user '2001' locked out for 300 s after 5 failed attempts/);
    expect(text).toMatch(/auth: REGISTER for locked-out user '2001' .* refused/);
    expect(text).not.toMatch(/refusing REGISTER of 2001 /);
    expect(await stack.kamailio.rpc(['htable.dump', 'authban'])).toContain('u:2001');
    const failures = Number(/value:\s*(\d+)/.exec(await stack.kamailio.rpc(['pv.shvGet', 'auth_failures']))?.[1] ?? Number.NaN);
    const refused = text.match(/locked-out user '2001'/g)?.length ?? 0;
    console.info(`svcrack: ${failures} failed attempts logged, user 2001 locked out, ${refused} later attempts refused`);
  });
});
