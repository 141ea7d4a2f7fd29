import type { CallFunding, WalletEvent } from '../../../shared/api/wallet-schemas';
import type { Repository } from '../store/repository';

/** A company's wallet as the hub fans it out: the event, and every paid call in progress with its caller. */
export interface CompanyWalletEvent extends WalletEvent {
  readonly ownedCalls: ReadonlyArray<CallFunding & { readonly userId: string }>;
}

/** The event one reader receives: the company's wallet and that reader's own calls only. */
export function eventForReader(event: CompanyWalletEvent, userId: string): WalletEvent {
  const { ownedCalls, ...wallet } = event;
  return { ...wallet, calls: ownedCalls.filter((call) => call.userId === userId).map(({ sipCallId, maxDurationSeconds }) => ({ sipCallId, maxDurationSeconds })) };
}

type Listener = (event: CompanyWalletEvent) => void;

/**
 * Fans wallet changes out to Server-Sent Event streams. Changes reach it three ways: from this process
 * right after commit; from other instances through PostgreSQL LISTEN/NOTIFY; and, as a backstop for
 * anything missed (and for other processes writing the same SQLite file), a poll of companies.last_seq.
 * Events carry the ledger sequence number, so a change heard twice is sent once. A call's reservation
 * made, extended or ended (call-charging.ts) is a change too: the event carries each paid call's funded
 * time, for the in-call meter (issue 10, section 4).
 */
export class WalletEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly lastSent = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();
  private pollTimer: NodeJS.Timeout | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private polledSeq = 0;

  constructor(
    private readonly repository: Repository,
    private readonly load: (companyId: string) => Promise<CompanyWalletEvent>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts listening to other instances and polling every `pollMs`. */
  async start(pollMs: number): Promise<void> {
    this.stopListening = await this.repository.listenWalletChanges((companyId) => this.changed(companyId));
    this.polledSeq = await this.repository.store.maxSeq();
    this.pollTimer = setInterval(() => void this.poll(), pollMs);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const changed = await this.repository.store.companiesChangedSince(this.polledSeq);
      for (const { companyId, lastSeq } of changed) {
        this.polledSeq = Math.max(this.polledSeq, lastSeq);
        this.changed(companyId);
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * Somebody changed this company's wallet: push its new state to its subscribers. Loads of one company run
   * one after the other, so a later change is always read (and sent) after an earlier one: an extension's
   * longer call cannot be overtaken by the authorize's older state, which has the same ledger seq.
   */
  changed(companyId: string): void {
    const listeners = this.listeners.get(companyId);
    if (!listeners || listeners.size === 0) return;
    const previous = this.loading.get(companyId) ?? Promise.resolve();
    const next = previous
      .then(() => this.load(companyId))
      .then(
        (event) => {
          const last = this.lastSent.get(companyId) ?? -1;
          // Settings changes and calls' reservations keep the same seq, so equal seqs with other content still go out.
          if (event.seq < last) return;
          this.lastSent.set(companyId, event.seq);
          for (const listener of listeners) listener(event);
        },
        (error: unknown) => this.onError(error),
      );
    this.loading.set(companyId, next);
    void next.finally(() => {
      if (this.loading.get(companyId) === next) this.loading.delete(companyId);
    });
  }

  /** Subscribes to one company's changes; returns the unsubscribe function. */
  subscribe(companyId: string, listener: Listener): () => void {
    let set = this.listeners.get(companyId);
    if (!set) {
      set = new Set();
      this.listeners.set(companyId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.stopListening) await this.stopListening();
  }
}
