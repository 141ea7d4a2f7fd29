import { z } from 'zod';
import { extensionSyntax } from '../numbering/extension-range';
import { displayNameProblem } from '../sip/display-name';
import { countrySchema, currencySchema, idSchema, timestampSchema } from './common-schemas';

/**
 * People, onboarding, passwords and the audit trail (docs/manager.md, "Onboarding and people"). The server
 * checks again what only the server knows (the company's country for the extension range, who is admin).
 */

/** A company role an admin may give; operators are Cabine's staff and are never created here. */
export const companyRoleSchema = z.enum(['admin', 'employee']);
export type CompanyRole = z.infer<typeof companyRoleSchema>;

export const displayNameSchema = z.string().refine((name) => displayNameProblem(name) === null, { message: 'A name of 1-64 characters, without control characters' });
export const emailSchema = z.email().max(254);
export const extensionSchema = z.string().regex(extensionSyntax, 'Four digits starting with 1 or 2');
/** New passwords: long enough to resist guessing, short enough for scrypt. */
export const newPasswordSchema = z.string().min(10, 'At least 10 characters').max(256);

export const personStatusSchema = z.enum(['active', 'invited', 'deactivated']);
export type PersonStatus = z.infer<typeof personStatusSchema>;

export const personViewSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  displayName: z.string(),
  role: companyRoleSchema,
  extension: z.string().nullable(),
  premiumBarred: z.boolean(),
  status: personStatusSchema.meta({ description: 'invited: no password set yet (the welcome link is unused); deactivated: signs in nowhere, SIP refused.' }),
  monthlyBudgetMinor: z.int().positive().nullable(),
});
export type PersonView = z.infer<typeof personViewSchema>;

export const personListResponseSchema = z.strictObject({ people: z.array(personViewSchema) });
export type PersonListResponse = z.infer<typeof personListResponseSchema>;

export const addPersonRequestSchema = z.strictObject({
  displayName: displayNameSchema,
  email: emailSchema,
  role: companyRoleSchema.default('employee'),
  extension: extensionSchema.optional().meta({ description: "Omitted: the lowest free extension of the company's range (shared/numbering/extension-range.ts)." }),
  premiumBarred: z.boolean().default(true),
  monthlyBudgetMinor: z.int().positive().nullable().default(null),
});
export type AddPersonRequest = z.input<typeof addPersonRequestSchema>;

export const addPersonResponseSchema = z.strictObject({
  person: personViewSchema,
  /** Where the welcome mail went (the address; the link itself only travels by mail). */
  welcomeSentTo: z.string(),
});

export const updatePersonRequestSchema = z.strictObject({
  role: companyRoleSchema.optional(),
  extension: extensionSchema.optional(),
  premiumBarred: z.boolean().optional(),
  displayName: displayNameSchema.optional(),
}).refine((body) => Object.keys(body).length > 0, { message: 'Change at least one field' });
export type UpdatePersonRequest = z.infer<typeof updatePersonRequestSchema>;

export const changePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: newPasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** A one-time link's token, as it arrives from the link (43 base64url characters). */
export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);
export const setPasswordRequestSchema = z.strictObject({ token: linkTokenSchema, password: newPasswordSchema });
export type SetPasswordRequest = z.infer<typeof setPasswordRequestSchema>;

export const passwordLinkResponseSchema = z.strictObject({ sentTo: z.string(), expiresAt: timestampSchema });

/** SIP domains: lower-case DNS names (RFC 1035 labels), at most 253 characters. */
export const sipDomainSchema = z.string().max(253).regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'A lower-case domain name such as acme.example');

export const onboardCompanyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).refine((name) => [...name].every((char) => { const code = char.charCodeAt(0); return code >= 0x20 && code !== 0x7f; }), { message: 'No control characters' }),
  country: countrySchema,
  currency: currencySchema,
  sipDomain: sipDomainSchema,
  admin: z.strictObject({ displayName: displayNameSchema, email: emailSchema, extension: extensionSchema.optional() }),
});
export type OnboardCompanyRequest = z.infer<typeof onboardCompanyRequestSchema>;

export const onboardCompanyResponseSchema = z.strictObject({
  companyId: idSchema,
  admin: personViewSchema,
  welcomeSentTo: z.string(),
});

export const auditEventViewSchema = z.strictObject({
  seq: z.int().positive(),
  companyId: idSchema.nullable(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  at: timestampSchema,
});
export type AuditEventView = z.infer<typeof auditEventViewSchema>;

export const auditQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  companyId: idSchema.optional().meta({ description: 'Operators only: one company.' }),
});
export const auditListResponseSchema = z.strictObject({ events: z.array(auditEventViewSchema) });

/** The proxy reads the list in pages (its HTTP client keeps at most 4 KB of an answer). */
export const sipRevocationQuerySchema = z.strictObject({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});

/** For the proxy: credentials to refuse, rebuilt at its start. */
export const sipRevocationListSchema = z.strictObject({
  revocations: z.array(z.strictObject({
    key: z.string().meta({ description: '<extension>@<sip domain>' }),
    refuseExpiryUpto: z.int().meta({ description: 'Refuse credentials whose expiry (unix seconds) is at most this.' }),
  })),
});
