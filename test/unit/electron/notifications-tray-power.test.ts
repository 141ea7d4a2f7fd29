import { EventEmitter } from 'node:events';
import { inflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createIncomingCallNotifier, notificationLanguage } from '../../../electron/notifications.js';
import { forwardResume } from '../../../electron/power.js';
import { createRendererEvents, maxQueuedEvents } from '../../../electron/renderer-events.js';
import { circlePng } from '../../../electron/tray-icon.js';
import { createRegistrationTray, registrationTooltip } from '../../../electron/tray.js';
import { asElectron } from './fakes.js';

describe('incoming-call notification', () => {
  function notifier(supported = true) {
    const shown: FakeNotification[] = [];
    class FakeNotification extends EventEmitter {
      static isSupported = () => supported;
      constructor(readonly options: Electron.NotificationConstructorOptions) {
        super();
      }
      show = vi.fn(() => shown.push(this));
      close = vi.fn(() => this.emit('close'));
    }
    const onAnswer = vi.fn();
    const focusWindow = vi.fn();
    const calls = createIncomingCallNotifier({ Notification: asElectron(FakeNotification), language: () => 'fr', onAnswer, focusWindow });
    return { calls, shown, onAnswer, focusWindow };
  }

  it('shows the caller with an Answer action in the chosen language', () => {
    const { calls, shown } = notifier();
    calls.show({ callId: 'c1', from: 'Alice Martin' });
    expect(shown).toHaveLength(1);
    expect(shown[0]?.options).toMatchObject({ title: 'Appel entrant', body: 'Alice Martin', actions: [{ type: 'button', text: 'Répondre' }] });
  });

  it('Answer focuses the window and tells the renderer which call', () => {
    const { calls, shown, onAnswer, focusWindow } = notifier();
    calls.show({ callId: 'c1', from: 'Alice' });
    shown[0]?.emit('action', {}, 0);
    expect(onAnswer).toHaveBeenCalledWith('c1');
    expect(focusWindow).toHaveBeenCalled();
  });

  it('a click only focuses', () => {
    const { calls, shown, onAnswer, focusWindow } = notifier();
    calls.show({ callId: 'c1', from: 'Alice' });
    shown[0]?.emit('click', {});
    expect(focusWindow).toHaveBeenCalled();
    expect(onAnswer).not.toHaveBeenCalled();
  });

  it('replaces the notification of the same call, and does nothing where unsupported', () => {
    const { calls, shown } = notifier();
    calls.show({ callId: 'c1', from: 'Alice' });
    calls.show({ callId: 'c1', from: 'Alice' });
    expect(shown[0]?.close).toHaveBeenCalled();
    const unsupported = notifier(false);
    unsupported.calls.show({ callId: 'c1', from: 'Alice' });
    expect(unsupported.shown).toHaveLength(0);
  });

  it('follows the language setting, then the OS locale', () => {
    expect(notificationLanguage('en', 'fr-FR')).toBe('en');
    expect(notificationLanguage('system', 'fr-BE')).toBe('fr');
    expect(notificationLanguage('system', 'de-DE')).toBe('en');
  });
});

describe('tray', () => {
  it('shows the registration state in its icon and tooltip, and focuses on click', () => {
    const tray = { setImage: vi.fn(), setToolTip: vi.fn(), destroy: vi.fn(), events: new EventEmitter() };
    const images: Buffer[] = [];
    const onClick = vi.fn();
    class FakeTray {
      constructor(image: unknown) {
        tray.setImage(image);
      }
      setImage = tray.setImage;
      setToolTip = tray.setToolTip;
      destroy = tray.destroy;
      on = (event: string, listener: () => void) => tray.events.on(event, listener);
    }
    const registration = createRegistrationTray({
      Tray: asElectron(FakeTray),
      createImageFromBuffer: (buffer) => {
        images.push(buffer);
        return asElectron(buffer);
      },
      onClick,
    });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Cabine: not connected');
    registration.show('registered');
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Cabine: ready for calls');
    registration.show('registered');
    expect(tray.setImage).toHaveBeenCalledTimes(2);
    registration.show('error');
    expect(tray.setToolTip).toHaveBeenLastCalledWith(registrationTooltip('error'));
    // One distinct icon per state shown: unregistered, registered, error.
    expect(new Set(images.map((image) => image.toString('hex'))).size).toBe(3);
    tray.events.emit('click');
    expect(onClick).toHaveBeenCalled();
  });

  it('draws a valid PNG', () => {
    const png = circlePng(4, [255, 0, 0]);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(4);
    const idatLength = png.readUInt32BE(33);
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    expect(pixels).toHaveLength(4 * (4 * 4 + 1));
  });
});

describe('resume and renderer events', () => {
  it('forwards powerMonitor resume', () => {
    const powerMonitor = new EventEmitter();
    const onResume = vi.fn();
    forwardResume(asElectron(powerMonitor), onResume);
    powerMonitor.emit('resume');
    expect(onResume).toHaveBeenCalledTimes(1);
  });

  it('queues events while the page loads, flushes them after, and drops invalid ones', () => {
    const sent: unknown[][] = [];
    let loading = true;
    const target = { send: (...args: unknown[]) => sent.push(args), isLoading: () => loading, isDestroyed: () => false };
    const events = createRendererEvents(() => asElectron(target), () => undefined);
    events.emit('dial-request', { number: '+33123456789' });
    events.emit('dial-request', { number: '' });
    expect(sent).toEqual([]);
    loading = false;
    events.flush();
    expect(sent).toEqual([['dial-request', { number: '+33123456789' }]]);
    events.emit('power:resume', {});
    expect(sent.at(-1)).toEqual(['power:resume', {}]);
  });

  it('bounds the queue while no window exists, keeping the newest', () => {
    const sent: unknown[][] = [];
    let window: unknown = null;
    const events = createRendererEvents(() => asElectron(window), () => undefined);
    for (let i = 0; i < maxQueuedEvents + 5; i += 1) events.emit('notification:answer', { callId: `c${i}` });
    window = { send: (...args: unknown[]) => sent.push(args), isLoading: () => false, isDestroyed: () => false };
    events.flush();
    expect(sent).toHaveLength(maxQueuedEvents);
    expect(sent[0]).toEqual(['notification:answer', { callId: 'c5' }]);
  });
});
