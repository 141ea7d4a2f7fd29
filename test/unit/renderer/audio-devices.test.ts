import { describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { audioDeviceLists, routedDevices, vanishedDevices, type RoutedDevices } from '../../../renderer/src/audio/device-choice.js';
import { createDeviceRouting } from '../../../renderer/src/audio/device-routing.js';
import { heldLevel, meterLevel, rmsOf } from '../../../renderer/src/audio/level-meter.js';
import type { AudioDeviceInfo, MediaDevicesPort } from '../../../renderer/src/audio/media-devices.js';
import { microphoneConstraints, openMicrophone } from '../../../renderer/src/audio/microphone-constraints.js';
import { createStore } from '../../../renderer/src/state/store.js';
import { initialSettingsState, reduceSettings } from '../../../renderer/src/state/settings-store.js';

/** What Chromium's fake devices enumerate (measured with --use-fake-device-for-media-stream, Chromium 156). */
const fakeDevices: AudioDeviceInfo[] = [
  { kind: 'audioinput', deviceId: 'default', label: 'Fake Default Audio Input' },
  { kind: 'audioinput', deviceId: 'in-1', label: 'Fake Audio Input 1' },
  { kind: 'audioinput', deviceId: 'in-2', label: 'Fake Audio Input 2' },
  { kind: 'audiooutput', deviceId: 'default', label: 'Fake Default Audio Output' },
  { kind: 'audiooutput', deviceId: 'out-1', label: 'Fake Audio Output 1' },
  { kind: 'audiooutput', deviceId: 'out-2', label: 'Fake Audio Output 2' },
];

/**
 * The OS seam's double: a device list the test changes, and a `devicechange` it fires, as the browser does
 * when a headset is unplugged.
 */
function osDevices(initial: AudioDeviceInfo[]): MediaDevicesPort & { unplug(deviceId: string): void; plug(device: AudioDeviceInfo): void; listeners: number } {
  let devices = [...initial];
  const listeners = new Set<() => void>();
  const fire = (): void => {
    for (const listener of listeners) listener();
  };
  return {
    enumerate: () => Promise.resolve([...devices]),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    unplug(deviceId) {
      devices = devices.filter((d) => d.deviceId !== deviceId);
      fire();
    },
    plug(device) {
      devices = [...devices, device];
      fire();
    },
    get listeners() {
      return listeners.size;
    },
  };
}

const chosen: Settings = { ...defaultSettings, microphoneDeviceId: 'in-2', speakerDeviceId: 'out-1', ringerDeviceId: 'out-2' };

describe('device choice', () => {
  it('lists the choosable devices: no "default" entry (offered apart), none without an id (no permission yet)', () => {
    expect(audioDeviceLists([...fakeDevices, { kind: 'audioinput', deviceId: '', label: '' }])).toEqual({
      inputs: [{ deviceId: 'in-1', label: 'Fake Audio Input 1' }, { deviceId: 'in-2', label: 'Fake Audio Input 2' }],
      outputs: [{ deviceId: 'out-1', label: 'Fake Audio Output 1' }, { deviceId: 'out-2', label: 'Fake Audio Output 2' }],
    });
  });

  it('routes each role to its chosen device when present, to the default when not, and keeps choices until the devices are known', () => {
    const lists = audioDeviceLists(fakeDevices);
    expect(routedDevices(chosen, lists)).toEqual({ microphone: 'in-2', speaker: 'out-1', ringer: 'out-2' });
    expect(routedDevices(chosen, audioDeviceLists(fakeDevices.filter((d) => d.deviceId !== 'out-1')))).toEqual({ microphone: 'in-2', speaker: 'default', ringer: 'out-2' });
    expect(routedDevices(chosen, null)).toEqual({ microphone: 'in-2', speaker: 'out-1', ringer: 'out-2' });
  });

  it('tells of a chosen device that went away, not of one that was never there', () => {
    const before = audioDeviceLists(fakeDevices);
    const after = audioDeviceLists(fakeDevices.filter((d) => d.deviceId !== 'in-2'));
    expect(vanishedDevices(chosen, before, after)).toEqual([{ role: 'microphone', deviceId: 'in-2', label: 'Fake Audio Input 2' }]);
    expect(vanishedDevices(chosen, after, after)).toEqual([]);
    expect(vanishedDevices(defaultSettings, before, audioDeviceLists([]))).toEqual([]);
  });

  it('asks getUserMedia for the chosen input exactly (Chromium answers an ideal one with the default)', () => {
    expect(microphoneConstraints({ audio: true, video: false }, 'in-2')).toEqual({ audio: { deviceId: { exact: 'in-2' } }, video: false });
    expect(microphoneConstraints({ audio: { echoCancellation: true } }, 'in-2')).toEqual({ audio: { echoCancellation: true, deviceId: { exact: 'in-2' } } });
    expect(microphoneConstraints({ audio: true }, 'default')).toEqual({ audio: true });
    expect(microphoneConstraints({ audio: false }, 'in-2')).toEqual({ audio: false });
  });

  it('opens the default microphone when the chosen one is gone, and only then', async () => {
    const asked: MediaStreamConstraints[] = [];
    const stream = { id: 'stream' } as unknown as MediaStream;
    const failing = (name: string) => (constraints: MediaStreamConstraints) => {
      asked.push(constraints);
      const audio = constraints.audio;
      if (typeof audio === 'object' && audio.deviceId !== undefined) return Promise.reject(Object.assign(new Error('gone'), { name }));
      return Promise.resolve(stream);
    };
    await expect(openMicrophone(failing('OverconstrainedError'), { audio: true }, 'in-2')).resolves.toBe(stream);
    expect(asked).toEqual([{ audio: { deviceId: { exact: 'in-2' } } }, { audio: true }]);
    await expect(openMicrophone(failing('NotFoundError'), { audio: true }, 'in-2')).resolves.toBe(stream);
    // Refused permission is not a missing device: it is reported, not papered over with another device.
    await expect(openMicrophone(failing('NotAllowedError'), { audio: true }, 'in-2')).rejects.toThrow('gone');
  });
});

describe('device routing, with the OS seam doubled', () => {
  async function routing(settings: Settings) {
    const os = osDevices(fakeDevices);
    const store = createStore(reduceSettings(initialSettingsState, { type: 'settingsChanged', settings }));
    const applied: RoutedDevices[] = [];
    const devices = createDeviceRouting(os, store, (routed) => applied.push(routed));
    await devices.refresh();
    /** Waits for the enumeration a devicechange started (the double answers at once). */
    const settled = () => devices.refresh();
    return { os, store, applied, devices, settled };
  }

  it('applies the chosen devices once they are listed', async () => {
    const { applied, store } = await routing(chosen);
    expect(applied).toEqual([{ microphone: 'in-2', speaker: 'out-1', ringer: 'out-2' }]);
    expect(store.getState().inputs.map((d) => d.label)).toEqual(['Fake Audio Input 1', 'Fake Audio Input 2']);
    expect(store.getState().fallbacks).toEqual([]);
  });

  it('the chosen microphone unplugged mid-call: the default takes over, with a notice; plugged back, it is used again', async () => {
    const { os, store, applied, settled } = await routing(chosen);
    os.unplug('in-2');
    await settled();
    expect(applied.at(-1)).toEqual({ microphone: 'default', speaker: 'out-1', ringer: 'out-2' });
    expect(store.getState().fallbacks).toEqual([{ role: 'microphone', deviceId: 'in-2', label: 'Fake Audio Input 2' }]);
    // The choice itself is kept.
    expect(store.getState().settings.microphoneDeviceId).toBe('in-2');

    os.plug({ kind: 'audioinput', deviceId: 'in-2', label: 'Fake Audio Input 2' });
    await settled();
    expect(applied.at(-1)).toEqual({ microphone: 'in-2', speaker: 'out-1', ringer: 'out-2' });
  });

  it('speaker and ringer unplugged together: one notice each; choosing another device clears that one', async () => {
    const { os, store, applied, settled } = await routing(chosen);
    os.unplug('out-1');
    os.unplug('out-2');
    await settled();
    expect(applied.at(-1)).toEqual({ microphone: 'in-2', speaker: 'default', ringer: 'default' });
    expect(store.getState().fallbacks.map((f) => f.role).sort()).toEqual(['ringer', 'speaker']);
    store.update((state) => reduceSettings(state, { type: 'settingsChanged', settings: { ...chosen, speakerDeviceId: 'default' } }));
    expect(store.getState().fallbacks.map((f) => f.role)).toEqual(['ringer']);
    store.update((state) => reduceSettings(state, { type: 'fallbacksDismissed' }));
    expect(store.getState().fallbacks).toEqual([]);
  });

  it('a settings change is applied at once, and only what changed is applied again', async () => {
    const { store, applied } = await routing(defaultSettings);
    expect(applied).toEqual([{ microphone: 'default', speaker: 'default', ringer: 'default' }]);
    store.update((state) => reduceSettings(state, { type: 'settingsChanged', settings: { ...defaultSettings, microphoneDeviceId: 'in-1' } }));
    store.update((state) => reduceSettings(state, { type: 'settingsChanged', settings: { ...defaultSettings, microphoneDeviceId: 'in-1', language: 'fr' } }));
    expect(applied).toEqual([{ microphone: 'default', speaker: 'default', ringer: 'default' }, { microphone: 'in-1', speaker: 'default', ringer: 'default' }]);
  });

  it('unsubscribes from devicechange when disposed', async () => {
    const { os, devices } = await routing(defaultSettings);
    expect(os.listeners).toBe(1);
    devices.dispose();
    expect(os.listeners).toBe(0);
  });
});

describe('the level meter', () => {
  it('RMS of a full-scale square wave is 1, of silence 0', () => {
    expect(rmsOf(new Float32Array([1, -1, 1, -1]))).toBe(1);
    expect(rmsOf(new Float32Array(128))).toBe(0);
  });

  it('shows -60 dBFS and below as empty, full scale as full, -30 dBFS half way', () => {
    expect(meterLevel(0)).toBe(0);
    expect(meterLevel(0.0005)).toBe(0);
    expect(meterLevel(1)).toBe(1);
    expect(meterLevel(10 ** (-30 / 20))).toBeCloseTo(0.5, 5);
  });

  it('holds a peak and lets it fall back gradually', () => {
    expect(heldLevel(0, 0.8)).toBe(0.8);
    expect(heldLevel(0.8, 0)).toBeCloseTo(0.73, 5);
    expect(heldLevel(0.05, 0)).toBe(0);
    expect(heldLevel(0.5, 0.6)).toBe(0.6);
  });
});
