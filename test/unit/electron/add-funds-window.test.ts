import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { addFundsWindowOptions, createAddFundsWindows, isPurchaseReceiptUrl, lockToOrigin } from '../../../electron/add-funds-window.js';
import { addFundsPartition } from '../../../electron/permissions.js';
import { guardAllWebContents } from '../../../electron/window.js';
import { isOnOrigin } from '../../../shared/manager-link/manager-url.js';
import { asElectron, fakeEvent, FakeWebContents } from './fakes.js';

const origin = 'https://m.example.fr';
const allows = (url: string) => isOnOrigin(url, origin);

describe('add-funds window', () => {
  it('is sandboxed, isolated, without preload or Node, in its own partition', () => {
    const prefs = addFundsWindowOptions('Add funds').webPreferences ?? {};
    expect(prefs.partition).toBe(addFundsPartition);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs).not.toHaveProperty('preload');
  });

  it('stays on the manager origin: navigation, redirects, frames and new windows elsewhere are refused', () => {
    const contents = new FakeWebContents();
    lockToOrigin(asElectron(contents), allows, () => undefined);
    for (const eventName of ['will-navigate', 'will-redirect']) {
      const away = fakeEvent();
      contents.emit(eventName, away, 'https://evil.example/pay');
      expect(away.defaultPrevented).toBe(true);
      const home = fakeEvent();
      contents.emit(eventName, home, 'https://m.example.fr/prepaid/add-funds');
      expect(home.defaultPrevented).toBe(false);
    }
    const frame = fakeEvent({ url: 'https://evil.example/' });
    contents.emit('will-frame-navigate', frame);
    expect(frame.defaultPrevented).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://m.example.fr/other' })).toEqual({ action: 'deny' });
  });

  it('recognises the receipt after a purchase', () => {
    expect(isPurchaseReceiptUrl('https://m.example.fr/prepaid/receipts/top_123?new=1', origin)).toBe(true);
    expect(isPurchaseReceiptUrl('https://m.example.fr/prepaid/receipts/top_123', origin)).toBe(false);
    expect(isPurchaseReceiptUrl('https://evil.example/prepaid/receipts/top_123?new=1', origin)).toBe(false);
  });

  it('opens one window, reuses it, and reports the completed purchase', () => {
    const windows: FakeWindow[] = [];
    class FakeWindow extends EventEmitter {
      webContents = new FakeWebContents();
      loadURL = vi.fn(() => Promise.resolve());
      focus = vi.fn();
      show = vi.fn();
      close = vi.fn();
      isDestroyed = () => false;
      constructor(readonly options: BrowserWindowConstructorOptions) {
        super();
        windows.push(this);
      }
    }
    const onPurchaseCompleted = vi.fn();
    const addFunds = createAddFundsWindows({ BrowserWindow: asElectron(FakeWindow), allows, title: () => 'Add funds', onPurchaseCompleted, log: () => undefined });
    addFunds.open('https://evil.example/handoff#code=x', origin);
    expect(windows).toHaveLength(0);
    addFunds.open('https://m.example.fr/handoff#code=a', origin);
    addFunds.open('https://m.example.fr/handoff#code=b', origin);
    expect(windows).toHaveLength(1);
    const window = windows[0];
    expect(window?.loadURL).toHaveBeenLastCalledWith('https://m.example.fr/handoff#code=b');
    expect(window?.focus).toHaveBeenCalled();
    window?.webContents.emit('did-navigate', {}, 'https://m.example.fr/prepaid/add-funds');
    expect(onPurchaseCompleted).not.toHaveBeenCalled();
    window?.webContents.emit('did-navigate', {}, 'https://m.example.fr/prepaid/receipts/top_1?new=1');
    expect(onPurchaseCompleted).toHaveBeenCalledOnce();
  });

  it('is left to its own rule by the app-wide guard, which keeps every other contents in the app', () => {
    const app = new EventEmitter();
    const openExternal = vi.fn(() => true);
    const addFundsSession = {};
    guardAllWebContents(asElectron(app), openExternal, (contents) => contents.session === addFundsSession);
    const appContents = Object.assign(new FakeWebContents(), { session: {} });
    const managerContents = Object.assign(new FakeWebContents(), { session: addFundsSession });
    app.emit('web-contents-created', {}, appContents);
    app.emit('web-contents-created', {}, managerContents);
    const away = fakeEvent();
    appContents.emit('will-navigate', away, 'https://m.example.fr/');
    expect(away.defaultPrevented).toBe(true);
    expect(managerContents.windowOpenHandler).toBeUndefined();
  });
});
