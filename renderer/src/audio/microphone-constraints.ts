/** The system's default device, in our settings' spelling (the Media Capture API's own "default" id). */
export const systemDefaultDevice = 'default';

/**
 * `constraints` with the chosen input as an `exact` deviceId. Not `ideal`: Chromium (156, measured with its
 * fake devices) answers `{ deviceId: { ideal: id } }` with the default input whenever there is one.
 * https://www.w3.org/TR/mediacapture-streams/#dfn-constrainable-property (deviceId).
 */
export function microphoneConstraints(constraints: MediaStreamConstraints, deviceId: string): MediaStreamConstraints {
  if (deviceId === systemDefaultDevice || deviceId === '' || constraints.audio === false || constraints.audio === undefined) return constraints;
  const audio = constraints.audio === true ? {} : constraints.audio;
  return { ...constraints, audio: { ...audio, deviceId: { exact: deviceId } } };
}

/** The errors getUserMedia gives for an `exact` device that is not there (unplugged since it was chosen). */
function deviceMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'OverconstrainedError' || error.name === 'NotFoundError');
}

/**
 * Opens the chosen microphone, or the system default when it is gone, so that an unplugged headset
 * never costs a call (device-routing.ts tells the user of the fallback).
 */
export async function openMicrophone(
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  constraints: MediaStreamConstraints,
  deviceId: string,
): Promise<MediaStream> {
  const chosen = microphoneConstraints(constraints, deviceId);
  if (chosen === constraints) return getUserMedia(constraints);
  try {
    return await getUserMedia(chosen);
  } catch (error) {
    if (!deviceMissing(error)) throw error;
    return getUserMedia(constraints);
  }
}
