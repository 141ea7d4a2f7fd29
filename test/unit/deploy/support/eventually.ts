/**
 * Waits for a real outcome the stack tests cannot be told about (a charge in the ledger, a registration
 * gone): polls `check` every 50 ms until it holds, and fails after `timeoutMs` naming what it waited for.
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
