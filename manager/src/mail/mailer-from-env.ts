import type { Mailer } from './mailer';
import { OutboxMailer } from './outbox-mailer';
import { SendmailMailer } from './sendmail-mailer';

/**
 * CABINE_MAILER: `outbox` (default outside production: kept in memory, shown at /dev/outbox) or `sendmail`
 * (CABINE_SENDMAIL_PATH, default /usr/sbin/sendmail; From: CABINE_MAIL_FROM, default no-reply@ the public
 * URL's host), the default in production. Production refuses the
 * outbox: the links it holds would be readable by anyone who reaches the page.
 */
export function mailerFromEnv(env: NodeJS.ProcessEnv, production: boolean, now: () => number, publicUrl: string): Mailer {
  const kind = env.CABINE_MAILER ?? (production ? 'sendmail' : 'outbox');
  if (kind === 'outbox') {
    if (production) throw new Error('CABINE_MAILER=outbox is for development: production needs CABINE_MAILER=sendmail');
    return new OutboxMailer(now);
  }
  if (kind === 'sendmail') {
    // Default: no-reply at the manager's public host name.
    const from = env.CABINE_MAIL_FROM ?? `Cabine <no-reply@${new URL(publicUrl).hostname}>`;
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from) && !/^[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) throw new Error('CABINE_MAILER=sendmail needs CABINE_MAIL_FROM (an address)');
    return new SendmailMailer(env.CABINE_SENDMAIL_PATH ?? '/usr/sbin/sendmail', from);
  }
  throw new Error(`CABINE_MAILER must be outbox or sendmail, not ${JSON.stringify(kind)}`);
}
