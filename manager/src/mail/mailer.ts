/** One message for a person: plain text, in their language (the caller words it). */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/**
 * Where the manager's mail goes (welcome and password-reset links). Pluggable: the dev stack and the tests
 * keep it in an outbox the manager shows at /dev/outbox; a deployment hands it to the host's MTA
 * (`sendmail -t`, as Postfix and Exim both provide). `send` resolves once the message was accepted.
 */
export interface Mailer {
  readonly kind: 'outbox' | 'sendmail';
  send(message: MailMessage): Promise<void>;
}

/** A message kept by the outbox mailer. */
export interface OutboxEntry extends MailMessage {
  readonly id: number;
  readonly sentAt: number;
}
