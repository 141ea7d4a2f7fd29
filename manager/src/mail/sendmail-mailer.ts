import { spawn } from 'node:child_process';
import type { Mailer, MailMessage } from './mailer';

/** Header values may not break the header block (RFC 5322 2.2): no CR or LF, ever. */
function headerValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('A mail header value may not contain a line break');
  return value;
}

/** Non-ASCII subjects as RFC 2047 encoded words (UTF-8, base64). */
function encodedSubject(subject: string): string {
  return /^[\x20-\x7e]*$/.test(subject) ? subject : `=?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
}

/**
 * Hands each message to the host's MTA through `sendmail -t -i` (the interface Postfix, Exim and msmtp all
 * provide), which queues and delivers it; the manager keeps no SMTP credentials. Resolves when sendmail
 * exited 0 (accepted), rejects otherwise.
 */
export class SendmailMailer implements Mailer {
  readonly kind = 'sendmail';

  constructor(private readonly command: string, private readonly from: string, private readonly timeoutMs = 10_000) {}

  send(message: MailMessage): Promise<void> {
    const body = [
      `From: ${headerValue(this.from)}`,
      `To: ${headerValue(message.to)}`,
      `Subject: ${encodedSubject(headerValue(message.subject))}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      message.text.replace(/\r?\n/g, '\n'),
      '',
    ].join('\n');
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.command, ['-t', '-i'], { stdio: ['pipe', 'ignore', 'pipe'], timeout: this.timeoutMs });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-500);
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`sendmail exited ${String(code)}: ${stderr.trim()}`))));
      child.stdin.end(body);
    });
  }
}
