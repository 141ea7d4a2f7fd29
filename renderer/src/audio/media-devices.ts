/**
 * The operating system's audio devices, as the Media Capture API shows them: the one seam between the app
 * and `navigator.mediaDevices` for listing devices and hearing about changes (unit tests give a double
 * here, the end-to-end tests Chromium's fake devices).
 */

export interface AudioDeviceInfo {
  readonly kind: 'audioinput' | 'audiooutput';
  readonly deviceId: string;
  /** Empty until the page may use the microphone. */
  readonly label: string;
}

export interface MediaDevicesPort {
  /** The audio inputs and outputs now present. */
  enumerate(): Promise<readonly AudioDeviceInfo[]>;
  /** Calls `listener` at each `devicechange` (a device plugged in or removed); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** The browser's devices; none (and no events) where `navigator.mediaDevices` is missing (insecure page). */
export function browserMediaDevices(): MediaDevicesPort {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  return {
    async enumerate() {
      if (devices?.enumerateDevices === undefined) return [];
      const all = await devices.enumerateDevices();
      const audio: AudioDeviceInfo[] = [];
      for (const device of all) {
        if (device.kind === 'audioinput' || device.kind === 'audiooutput') audio.push({ kind: device.kind, deviceId: device.deviceId, label: device.label });
      }
      return audio;
    },
    onChange(listener) {
      if (devices === undefined) return () => undefined;
      devices.addEventListener('devicechange', listener);
      return () => devices.removeEventListener('devicechange', listener);
    },
  };
}
