/** Reads a port from the environment, or the default; a clear error for anything that is not a port. */
export function envPort(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new Error(`${name} must be a TCP port between 1 and 65535, not "${raw}"`);
  }
  return Number(raw);
}
