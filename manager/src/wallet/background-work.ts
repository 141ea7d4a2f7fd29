import type { WalletLog } from './wallet-options';

/**
 * Work the wallet starts after a commit and does not wait for (charging the card for a refill), tracked so
 * shutdown and tests can wait for it (`settle`). A failure is logged, never thrown at the caller.
 */
export class BackgroundWork {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly log: WalletLog) {}

  run(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.log.error({ err: error }, 'background wallet work failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Waits for the work started so far, and for any it started in turn. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
