// main.ts is wiring only; this test imports it with the `electron` module replaced by doubles (the OS
// seam) and checks the wiring: what happens before `ready`, what after, and that a link and an IPC call
// travel end to end through the real modules.
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeChannels } from '../../../shared/ipc/ipc-contract.js';
import { defaultSettings } from '../../../shared/settings.js';

const seam = vi.hoisted(() => {
  const calls: string[] = [];
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  return { calls, ready, resolveReady: () => resolveReady(), handlers: new Map<string, (...args: unknown[]) => unknown>(), windows: [] as unknown[] };
});

vi.mock('electron-store', () => ({
  default: class FakeStore {
    store: Record<string, unknown>;
    constructor(options: { defaults: Record<string, unknown> }) {
      this.store = { ...options.defaults };
    }
    set(values: Record<string, unknown>) {
      this.store = { ...this.store, ...values };
    }
  },
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const userData = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/cabine-main-`);
  const app = Object.assign(new Emitter(), {
    isPackaged: true,
    requestSingleInstanceLock: () => (seam.calls.push('requestSingleInstanceLock'), true),
    quit: () => seam.calls.push('quit'),
    exit: (code: number) => seam.calls.push(`exit ${code}`),
    enableSandbox: () => seam.calls.push('enableSandbox'),
    whenReady: () => seam.ready,
    getAppPath: () => '/opt/cabine/resources/app.asar',
    getPath: () => userData,
    getLocale: () => 'fr-FR',
    setAsDefaultProtocolClient: (scheme: string) => (seam.calls.push(`protocol-client ${scheme}`), true),
  });
  class WebContents extends Emitter {
    sent: unknown[][] = [];
    setWindowOpenHandler() {}
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    isLoading = () => false;
    isDestroyed = () => false;
  }
  class BrowserWindow extends Emitter {
    webContents = new WebContents();
    constructor(readonly options: unknown) {
      super();
      seam.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL = async (url: string) => void seam.calls.push(`loadURL ${url}`);
    show() {}
    focus = () => seam.calls.push('focus');
    isMinimized = () => false;
    restore() {}
    isDestroyed = () => false;
  }
  const permissionSession = (name: string) => ({
    setPermissionRequestHandler: () => seam.calls.push(`permission-request-handler ${name}`),
    setPermissionCheckHandler: () => seam.calls.push(`permission-check-handler ${name}`),
  });
  class Tray extends Emitter {
    setImage() {}
    setToolTip = (tip: string) => seam.calls.push(`tooltip ${tip}`);
  }
  class Notification extends Emitter {
    static isSupported = () => false;
  }
  return {
    app,
    BrowserWindow,
    Tray,
    Notification,
    ipcMain: { handle: (channel: string, handler: (...args: unknown[]) => unknown) => seam.handlers.set(channel, handler), removeHandler() {} },
    nativeImage: { createFromBuffer: (buffer: Buffer) => buffer },
    powerMonitor: Object.assign(new Emitter(), {}),
    protocol: {
      registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => seam.calls.push(`privileged ${schemes.map((s) => s.scheme).join()}`),
      handle: (scheme: string) => seam.calls.push(`handle ${scheme}`),
    },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
    session: { defaultSession: permissionSession('default'), fromPartition: (partition: string) => permissionSession(partition) },
    shell: { openExternal: async () => undefined },
  };
});

type FakeWindow = EventEmitter & { options: { webPreferences: Record<string, unknown> }; webContents: EventEmitter & { sent: unknown[][] } };

const originalArgv = process.argv;
beforeAll(async () => {
  // As on Windows and Linux when a tel: link starts the app.
  process.argv = [originalArgv[0] ?? 'electron', 'tel:+33123456789'];
  await import('../../../electron/main.js');
});
afterAll(() => {
  process.argv = originalArgv;
});

describe('main wiring', () => {
  it('before ready: single-instance lock, sandbox for all renderers, privileged app scheme; no window yet', () => {
    expect(seam.calls.slice(0, 3)).toEqual(['requestSingleInstanceLock', 'enableSandbox', 'privileged cabine']);
    expect(seam.windows).toHaveLength(0);
    expect(seam.handlers.size).toBe(0);
  });

  it('after ready: serves the app, installs permissions, IPC, tray, protocol clients and the window', async () => {
    seam.resolveReady();
    await vi.waitFor(() => expect(seam.windows).toHaveLength(1));
    expect(seam.calls).toContain('handle cabine');
    expect(seam.calls).toContain('permission-request-handler default');
    expect(seam.calls).toContain('permission-check-handler default');
    expect(seam.calls).toContain('permission-request-handler persist:add-funds');
    expect(seam.calls).toEqual(expect.arrayContaining(['protocol-client tel', 'protocol-client sip', 'protocol-client callto']));
    expect(seam.calls).toContain('tooltip Cabine: not connected');
    expect(seam.calls).toContain('loadURL cabine://app/index.html');
    expect([...seam.handlers.keys()]).toEqual([...invokeChannels]);
    const window = seam.windows[0] as FakeWindow;
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(window.options.webPreferences.preload)).toMatch(/electron[\\/]preload\.cjs$/);
  });

  it('answers IPC through the real modules, and refuses foreign frames', async () => {
    const getSettings = seam.handlers.get('settings:get');
    const appFrame = { senderFrame: { url: 'cabine://app/index.html', parent: null } };
    expect(await getSettings?.(appFrame, undefined)).toEqual({ ok: true, value: defaultSettings });
    expect(await getSettings?.({ senderFrame: { url: 'https://evil.example/', parent: null } }, undefined)).toMatchObject({ ok: false });
    // safeStorage here is on the plaintext backend: the password is refused, not written.
    const save = seam.handlers.get('sip-credentials:save');
    const credentials = { account: { server: 'wss://sip.cabine.test', username: '1001', domain: 'cabine.test' }, password: 'cabine-1001' };
    expect(await save?.(appFrame, credentials)).toEqual({ ok: true, value: 'not-remembered' });
  });

  it('delivers the launch link once the page has loaded, and second-instance links at once', async () => {
    const window = seam.windows[0] as FakeWindow;
    window.webContents.emit('did-finish-load');
    expect(window.webContents.sent).toContainEqual(['dial-request', { number: '+33123456789' }]);
    const { app } = await import('electron');
    app.emit('second-instance', {}, ['/opt/Cabine/cabine', 'sip:1002@cabine.test'], '/', {});
    expect(window.webContents.sent.at(-1)).toEqual(['dial-request', { number: '1002' }]);
    expect(seam.calls).toContain('focus');
  });
});
