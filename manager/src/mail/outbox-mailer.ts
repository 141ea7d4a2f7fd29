import type { Mailer, MailMessage, OutboxEntry } from './mailer';

/**
 * Development and tests: messages stay in memory (the last `capacity`) and are read back at /dev/outbox
 * (page) and /dev/outbox.json, so a test can follow a welcome link the way a person would. Never for
 * production: the links would be readable by anyone who can reach the page.
 */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  private readonly entries: OutboxEntry[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number, private readonly capacity = 200) {}

  send(message: MailMessage): Promise<void> {
    this.entries.push({ ...message, id: this.nextId, sentAt: this.now() });
    this.nextId += 1;
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return Promise.resolve();
  }

  /** Newest first. */
  list(): readonly OutboxEntry[] {
    return [...this.entries].reverse();
  }
}
