import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  createLinkRouter,
  dialableFromArgv,
  linkSchemes,
  listenForLinks,
  registerProtocolClients,
} from '../../../electron/protocol-links.js';
import { acquireSingleInstance } from '../../../electron/single-instance.js';
import { asElectron, fakeEvent } from './fakes.js';

function router() {
  const dial = vi.fn();
  const focusWindow = vi.fn();
  return { dial, focusWindow, router: createLinkRouter({ dial, focusWindow, log: () => undefined }) };
}

describe('argv of a second instance', () => {
  it.each([
    [['/opt/Cabine/cabine', 'tel:+33123456789'], '+33123456789'],
    [['C:\\Program Files\\Cabine\\Cabine.exe', '--allow-file-access-from-files', 'callto://+442071234567'], '+442071234567'],
    [['/usr/bin/electron', '/work/main/dist/electron/main.mjs', 'sip:1002@cabine.test'], '1002'],
    [['cabine', 'tel:111', 'tel:222'], '222'],
    [['cabine', 'tel:222', 'javascript:alert(1)'], '222'],
    [['cabine'], null],
    [['cabine', '--inspect=9229', 'https://evil.example/?tel:1'], null],
    [['cabine', 'tel:not-a-number'], null],
    [[], null],
  ])('%j → %s', (argv, expected) => {
    expect(dialableFromArgv(argv)).toBe(expected);
  });

  it('forwards the number from second-instance argv and focuses the window', () => {
    const { dial, focusWindow, router: links } = router();
    const app = new EventEmitter();
    listenForLinks(asElectron(app), links);
    app.emit('second-instance', fakeEvent(), ['/opt/Cabine/cabine', '--no-sandbox', 'tel:01%2023%2045'], '/home', {});
    expect(dial).toHaveBeenCalledWith('012345');
    expect(focusWindow).toHaveBeenCalledTimes(1);
  });

  it('ignores a second instance without a link (it still may focus nothing)', () => {
    const { dial } = router();
    const app = new EventEmitter();
    listenForLinks(asElectron(app), createLinkRouter({ dial, focusWindow: () => undefined, log: () => undefined }));
    app.emit('second-instance', fakeEvent(), ['/opt/Cabine/cabine'], '/home', {});
    expect(dial).not.toHaveBeenCalled();
  });
});

describe('macOS open-url', () => {
  it('prevents the default, parses, dials and focuses', () => {
    const { dial, focusWindow, router: links } = router();
    const app = new EventEmitter();
    listenForLinks(asElectron(app), links);
    const event = fakeEvent();
    app.emit('open-url', event, 'sip:1002@cabine.test');
    expect(event.defaultPrevented).toBe(true);
    expect(dial).toHaveBeenCalledWith('1002');
    expect(focusWindow).toHaveBeenCalled();
  });

  it('drops hostile links', () => {
    const { dial, focusWindow, router: links } = router();
    links.handleUrl('javascript:alert(1)');
    links.handleUrl(`tel:${'9'.repeat(5000)}`);
    links.handleUrl('');
    expect(dial).not.toHaveBeenCalled();
    expect(focusWindow).not.toHaveBeenCalled();
  });
});

describe('protocol client registration', () => {
  it('registers tel, sip and callto in packaged builds', () => {
    const setAsDefaultProtocolClient = vi.fn(() => true);
    registerProtocolClients(asElectron({ setAsDefaultProtocolClient }), { isPackaged: true, execPath: '/x', entryScript: undefined });
    expect(setAsDefaultProtocolClient.mock.calls).toEqual(linkSchemes.map((scheme) => [scheme]));
    expect(linkSchemes).toEqual(['tel', 'sip', 'callto']);
  });

  it('passes the entry script in development', () => {
    const setAsDefaultProtocolClient = vi.fn(() => true);
    registerProtocolClients(asElectron({ setAsDefaultProtocolClient }), { isPackaged: false, execPath: '/electron', entryScript: '/app/main.mjs' });
    expect(setAsDefaultProtocolClient).toHaveBeenCalledWith('tel', '/electron', ['/app/main.mjs']);
  });
});

describe('single instance', () => {
  it('keeps the first instance and quits the second', () => {
    const quit = vi.fn();
    expect(acquireSingleInstance(asElectron({ requestSingleInstanceLock: () => true, quit }))).toBe(true);
    expect(quit).not.toHaveBeenCalled();
    expect(acquireSingleInstance(asElectron({ requestSingleInstanceLock: () => false, quit }))).toBe(false);
    expect(quit).toHaveBeenCalledTimes(1);
  });
});
