/**
 * Scripted onboarding (docs/manager.md, "Onboarding and people"), against the manager's database
 * (DATABASE_URL, or SQLite in CABINE_MANAGER_DATA_DIR), through the same code as customer care's page:
 *
 *   npm run manager:create-company -- --name "Acme" --country FR --currency EUR --sip-domain acme.example \
 *       --admin-name "Ada Admin" --admin-email ada@acme.example [--admin-extension 1001]
 *   npm run manager:create-operator -- --name "Cabine Care" --email care@ops.example
 *
 * The new admin (or operator) gets a welcome mail with a one-time link to set a password (CABINE_MAILER;
 * with the development outbox the mail is printed here, since this process has no page to show it). Prints
 * one JSON line: what was created. Exit 2 with the reason on a refusal (taken domain or email, bad value).
 */
import { parseArgs } from 'node:util';
import { commandLineActor } from '../src/audit/audit-trail';
import { recordAudit } from '../src/audit/audit-trail';
import { openRepository } from '../src/app';
import { loadConfig } from '../src/config';
import { ApiError } from '../src/http/api-error';
import { newId } from '../src/ids';
import type { Mailer } from '../src/mail/mailer';
import { mailerFromEnv } from '../src/mail/mailer-from-env';
import { onboardCompany } from '../src/onboarding/onboard-company';
import { noPasswordYet, sendPasswordLink } from '../src/people/password-links';
import { PeopleService } from '../src/people/people-service';
import { sipRevokerFromEnv } from '../src/people/sip-revoker';
import { displayNameSchema, emailSchema, onboardCompanyRequestSchema } from '../../shared/api/people-schemas';

const log = { warn: (details: object, message: string) => console.error(message, details), info: () => undefined };

/** The outbox of a command has nobody to show it to: print the message on stderr instead. */
const printingMailer: Mailer = {
  kind: 'outbox',
  send: (message) => {
    process.stderr.write(`--- mail to ${message.to}: ${message.subject}\n${message.text}\n---\n`);
    return Promise.resolve();
  },
};

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' }, country: { type: 'string' }, currency: { type: 'string' }, 'sip-domain': { type: 'string' },
      'admin-name': { type: 'string' }, 'admin-email': { type: 'string' }, 'admin-extension': { type: 'string' }, email: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const mailer = mailerFromEnv(process.env, config.environment === 'production', Date.now, config.publicUrl);
  const repository = await openRepository(config, log);
  try {
    const people = new PeopleService({
      repository, mailer: mailer.kind === 'outbox' ? printingMailer : mailer, revoker: sipRevokerFromEnv(process.env, config.proxySecret ?? ''), publicUrl: config.publicUrl,
      now: Date.now, scryptLogN: config.scryptLogN, sipCredentialTtlSeconds: config.sipCredentialTtlSeconds, log,
    });
    if (command === 'company') {
      const input = onboardCompanyRequestSchema.parse({
        name: values.name, country: values.country?.toUpperCase(), currency: values.currency?.toUpperCase() ?? config.currency, sipDomain: values['sip-domain']?.toLowerCase(),
        admin: { displayName: values['admin-name'], email: values['admin-email'], ...(values['admin-extension'] === undefined ? {} : { extension: values['admin-extension'] }) },
      });
      const { company, admin } = await onboardCompany({ repository, people, now: Date.now }, commandLineActor, input);
      process.stdout.write(`${JSON.stringify({ companyId: company.id, sipDomain: company.sipDomain, admin })}\n`);
    } else if (command === 'operator') {
      const email = emailSchema.parse(values.email);
      const displayName = displayNameSchema.parse(values.name);
      if (await repository.store.getUserByEmail(email)) throw new ApiError(409, 'conflict', 'Somebody already has an account with this email');
      const operator = { id: newId('usr'), companyId: null, email: email.toLowerCase(), displayName, role: 'operator' as const, extension: null, passwordHash: noPasswordYet, premiumBarred: false, createdAt: Date.now() };
      // The person and their audit entry commit together, or neither does.
      await repository.transaction(async (tx) => {
        await tx.insertUser(operator);
        await recordAudit(tx, { companyId: null, actor: commandLineActor, action: 'person.added', target: operator.id, details: { email: operator.email, role: 'operator' }, at: Date.now() });
      });
      await sendPasswordLink({ repository, mailer: mailer.kind === 'outbox' ? printingMailer : mailer, publicUrl: config.publicUrl, now: Date.now }, operator.id, 'welcome', { companyId: null, actor: commandLineActor, companyName: 'Cabine customer care' });
      process.stdout.write(`${JSON.stringify({ operatorId: operator.id, email: operator.email })}\n`);
    } else {
      throw new Error('usage: create-company.ts company --name ... | operator --name ... --email ...');
    }
  } finally {
    await repository.close();
  }
}

main().catch((error: unknown) => {
  const refusal = error instanceof ApiError ? `${error.message}${error.issues ? `: ${error.issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}` : ''}` : error instanceof Error && error.name === 'ZodError' ? error.message : null;
  if (refusal !== null) {
    console.error(`refused: ${refusal}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
