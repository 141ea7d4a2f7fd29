// The preload must run where Electron runs it: sandboxed, as CommonJS, with a `require` that knows
// `electron` and nothing from node_modules (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts).
// This builds it with the real bundle options and runs the output in a fresh V8 context that has only that.
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { preloadBuildOptions } from '../../../scripts/bundle-electron.js';
import { hostBridgeChannels } from '../../../shared/ipc/ipc-contract.js';

describe('preload bundle', () => {
  it('is CommonJS that needs only `electron` and exposes the bridge', async () => {
    const result = await build({ ...preloadBuildOptions, write: false, sourcemap: false, logLevel: 'silent' });
    const code = result.outputFiles?.find((file) => file.path.endsWith('.cjs'))?.text ?? '';
    expect(code).not.toMatch(/^\s*(import|export)\s/m);

    const required: string[] = [];
    const exposed = new Map<string, Record<string, unknown>>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: { invoke: async () => ({ ok: true }), on: () => undefined },
    };
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name === 'electron') return electron;
      throw new Error(`module not found in the preload sandbox: ${name}`);
    };
    const module = { exports: {} };
    runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });

    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed.get('cabine') ?? {}).sort()).toEqual(Object.keys(hostBridgeChannels).sort());
  });
});
