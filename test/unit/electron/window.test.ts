import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { appEntryUrl, isAppOrigin } from '../../../electron/app-origin.js';
import { createMainWindow, guardAllWebContents, hardenWebContents, mainWindowOptions } from '../../../electron/window.js';
import { asElectron, fakeEvent, FakeWebContents } from './fakes.js';

describe('main window options', () => {
  const options = mainWindowOptions('/app/dist/electron/preload.cjs');
  const prefs = options.webPreferences ?? {};

  it('turns on every isolation flag of the security checklist', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
  });

  it('creates the window with those options and loads the app scheme', () => {
    const created: BrowserWindowConstructorOptions[] = [];
    const loadURL = vi.fn(() => Promise.resolve());
    class FakeWindow extends EventEmitter {
      constructor(options: BrowserWindowConstructorOptions) {
        super();
        created.push(options);
      }
      loadURL = loadURL;
      show = vi.fn();
    }
    createMainWindow({ BrowserWindow: asElectron(FakeWindow), preloadPath: '/p.cjs', log: () => undefined });
    expect(created[0]?.webPreferences?.sandbox).toBe(true);
    expect(loadURL).toHaveBeenCalledWith(appEntryUrl);
  });
});

describe('web contents guards', () => {
  function guarded() {
    const contents = new FakeWebContents();
    const openExternal = vi.fn(() => true);
    hardenWebContents(asElectron(contents), openExternal);
    return { contents, openExternal };
  }

  it('denies window.open and hands the URL to the one openExternal', () => {
    const { contents, openExternal } = guarded();
    expect(contents.windowOpenHandler?.({ url: 'https://cabine.app/help' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'cabine://app/index.html' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://cabine.app/help');
  });

  it.each(['will-navigate', 'will-redirect'])('%s to another origin is prevented', (eventName) => {
    const { contents } = guarded();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'cabine://other/index.html', 'http://localhost:15173/']) {
      const event = fakeEvent();
      contents.emit(eventName, event, url);
      expect(event.defaultPrevented, url).toBe(true);
    }
  });

  it('navigation inside the app origin is allowed', () => {
    const { contents, openExternal } = guarded();
    const event = fakeEvent();
    contents.emit('will-navigate', event, 'cabine://app/index.html#/history');
    expect(event.defaultPrevented).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('sub-frame navigation away and <webview> attachment are prevented', () => {
    const { contents } = guarded();
    const frameNavigation = fakeEvent({ url: 'https://evil.example/' });
    contents.emit('will-frame-navigate', frameNavigation);
    expect(frameNavigation.defaultPrevented).toBe(true);
    const webview = fakeEvent();
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
  });

  it('guards every web contents the app creates, including later windows', () => {
    const app = new EventEmitter();
    guardAllWebContents(asElectron(app), () => false);
    const later = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent(), later);
    expect(later.windowOpenHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
  });
});

describe('app origin', () => {
  it.each([
    ['cabine://app', true],
    ['cabine://app/index.html', true],
    ['cabine://APP/x', true],
    ['cabine://app.evil.example/', false],
    ['cabine://user@app/', false],
    ['https://app/', false],
    ['file:///app', false],
    ['null', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isAppOrigin(url)).toBe(expected);
  });
});
