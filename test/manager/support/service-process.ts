import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEnv } from './manager-harness';

const mainScript = fileURLToPath(new URL('../../../manager/src/main.ts', import.meta.url));

/** The manager running as its own process (what `npm run manager` starts), for crash tests. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Resolves when the process has exited (by any means). */
  readonly exited: Promise<number | null>;
}

/** Starts `manager/src/main.ts` and resolves once it logs its listening address. */
export function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env: { ...process.env, ...testEnv({ CABINE_LOG_LEVEL: 'info', ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === 'cabine manager listening' && entry.address) resolvePromise({ child, baseUrl: entry.address, exited });
        } catch {
          // Not a log line: ignore.
        }
      }
    });
    void exited.then((code) => reject(new Error(`manager exited (${code}) before listening: ${errors.slice(-2000)}`)));
  });
}
