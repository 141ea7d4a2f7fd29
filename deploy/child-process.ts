/**
 * What every process of the local stack (Kamailio, rtpengine, baresip, sipp, the manager) needs from its
 * starter: find the binary, check that its ports are free, run it in its own process group so that it never
 * outlives the Node process that started it, wait for a real readiness probe, and stop it for sure.
 *
 * Never-outlive guarantee:
 *   - `setpriv --pdeathsig SIGTERM` (util-linux) sets PR_SET_PDEATHSIG before exec, so the kernel signals the
 *     child when Node dies, even by SIGKILL;
 *   - a process 'exit' handler signals every child still running on a normal exit;
 *   - stop() sends SIGTERM, then SIGKILL to the whole process group after a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { constants as fsConstants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { createServer, isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import type { z } from 'zod';

/** Why a process of the stack could not be started; the message says what to do. */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}

/** Pids of every child started through {@link spawnOwned} and still running. */
const owned = new Map<number, NodeJS.Signals>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) {
    return;
  }
  exitHandlerInstalled = true;
  // 'exit' handlers must be synchronous: signal, and let each child shut down on its own.
  process.on('exit', () => {
    for (const [pid, signal] of owned) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  });
}

/** The path of an executable on PATH or in the sbin directories, or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  // Kamailio and rtpengine live in /usr/sbin, which is not on every user's PATH.
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (dir === '') {
      continue;
    }
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Like {@link findExecutable}, but fails naming the Debian package to install. */
export async function requireExecutable(name: string, debianPackage: string): Promise<string> {
  const found = await findExecutable(name);
  if (found === undefined) {
    throw new StackStartError(`${name} not found on PATH or in /usr/sbin: install it with "apt-get install ${debianPackage}"`);
  }
  return found;
}

/** Fails with a clear message when a TCP port is taken (by another instance, or anything else). */
export async function assertTcpPortFree(host: string, port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StackStartError(
          error.code === 'EADDRINUSE'
            ? `${what} port ${port}/tcp on ${host} is already in use: choose another port or stop what listens there`
            : `cannot listen on ${host}:${port}/tcp for ${what}: ${error.message}`,
        ),
      );
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Fails with a clear message when a UDP port is taken. */
export async function assertUdpPortFree(host: string, port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      reject(
        new StackStartError(
          error.code === 'EADDRINUSE'
            ? `${what} port ${port}/udp on ${host} is already in use: choose another port or stop what listens there`
            : `cannot bind ${host}:${port}/udp for ${what}: ${error.message}`,
        ),
      );
    });
    socket.bind(port, host, () => socket.close(() => resolve()));
  });
}

/** A UDP port on the host that was free a moment ago (the OS picks it). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * A port free for both TCP and UDP on the host a moment ago. SIP listeners often take both (baresip binds
 * UDP and TCP on its SIP port and TLS on the next one), so check what the caller needs.
 */
export async function freePortPair(host = '127.0.0.1', alsoNext = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await freeUdpPort(host);
    try {
      await assertTcpPortFree(host, port, 'probe');
      if (alsoNext) {
        await assertTcpPortFree(host, port + 1, 'probe');
        await assertUdpPortFree(host, port + 1, 'probe');
      }
      return port;
    } catch {
      // Taken on the other protocol: try another.
    }
  }
  throw new StackStartError(`no free TCP+UDP port found on ${host}`);
}

/** The last lines of a log file, for error messages. */
export async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves when the child has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Options of {@link spawnOwned}. */
export interface SpawnOwnedOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** stdout and stderr are appended to this file. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The signal that asks it to stop (default SIGTERM). */
  readonly stopSignal?: NodeJS.Signals;
}

/**
 * Spawns a child in its own process group, under `setpriv --pdeathsig` when available, with its output
 * appended to a log file, and registers it for the exit handler.
 */
export async function spawnOwned(options: SpawnOwnedOptions): Promise<ChildProcess> {
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const log = await open(options.logFile, 'a');
  const setpriv = await findExecutable('setpriv');
  const [command, args] =
    setpriv === undefined
      ? [options.command, [...options.args]]
      : [setpriv, ['--pdeathsig', stopSignal, '--', options.command, ...options.args]];
  let child: ChildProcess;
  try {
    // detached: its own process group, so stop() can SIGKILL its helpers too, and a Ctrl-C in the terminal
    // reaches only Node, which stops it cleanly.
    child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', log.fd, log.fd],
      detached: true,
      env: options.env ?? process.env,
    });
  } finally {
    await log.close();
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new StackStartError(`could not spawn ${options.command}`);
  }
  owned.set(pid, stopSignal);
  installExitHandler();
  child.once('exit', () => owned.delete(pid));
  return child;
}

/** Signals the child, waits for its exit, and SIGKILLs its process group if it lingers. */
export async function stopOwned(child: ChildProcess, timeoutMs = 5_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const pid = child.pid;
  const done = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  await done;
  clearTimeout(timer);
}

/** Why a child did not get ready, for {@link failStart}: it exited, or `timedOut` (what it failed to do in time). */
export const notReadyReason = (child: ChildProcess, outcome: 'exited' | 'timeout', timedOut: string): string =>
  outcome === 'exited' ? `exited during start-up (code ${String(child.exitCode)})` : timedOut;

/**
 * Stops a child that did not get ready and throws a StackStartError naming it (`what`), saying why, and
 * quoting the last lines of its log.
 */
export async function failStart(child: ChildProcess, what: string, why: string, logFile: string, stopTimeoutMs?: number): Promise<never> {
  await stopOwned(child, stopTimeoutMs);
  throw new StackStartError(`${what} ${why}; last lines of ${logFile}:\n${await tail(logFile)}`);
}

/**
 * Polls `probe` every `intervalMs` until it answers true, the child exits, or `timeoutMs` passes. Returns how
 * it ended; the caller turns anything but 'ready' into an error naming the log.
 */
export async function waitForReady(
  child: ChildProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited(child).then(() => {
    gone = true;
  });
  while (!gone) {
    if (await probe()) {
      return 'ready';
    }
    if (Date.now() > deadline) {
      return 'timeout';
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return 'exited';
}

/** Formats zod-style issues into one line. */
const formatIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): string =>
  issues.map((issue) => `${issue.path.map(String).join('.') || 'options'}: ${issue.message}`).join('; ');

/** Parses a starter's options with its zod schema, or fails naming every invalid option. */
export function parseOptions<T extends z.ZodType>(schema: T, options: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new StackStartError(`invalid ${what} options: ${formatIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}
