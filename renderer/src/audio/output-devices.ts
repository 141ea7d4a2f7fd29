/** Audio outputs for the ringer setting. Labels stay empty until the page may use the microphone. */
export async function listAudioOutputs(): Promise<Array<{ deviceId: string; label: string }>> {
  if (navigator.mediaDevices?.enumerateDevices === undefined) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((device) => device.kind === 'audiooutput' && device.deviceId !== '' && device.deviceId !== 'default')
    .map((device) => ({ deviceId: device.deviceId, label: device.label }));
}
