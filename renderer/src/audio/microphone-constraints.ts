/** The system's default device, in our settings' spelling (the Media Capture API's own "default" id). */
export const systemDefaultDevice = 'default';

/**
 * `constraints` with the chosen input: `ideal`, not `exact`, so that a device unplugged between the check
 * and the call gives the default microphone rather than no call (device-routing.ts tells the user).
 * https://www.w3.org/TR/mediacapture-streams/#dfn-constrainable-property (deviceId).
 */
export function microphoneConstraints(constraints: MediaStreamConstraints, deviceId: string): MediaStreamConstraints {
  if (deviceId === systemDefaultDevice || deviceId === '' || constraints.audio === false || constraints.audio === undefined) return constraints;
  const audio = constraints.audio === true ? {} : constraints.audio;
  return { ...constraints, audio: { ...audio, deviceId: { ideal: deviceId } } };
}
