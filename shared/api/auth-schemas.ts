import { z } from 'zod';
import { countrySchema, currencySchema, idSchema, timestampSchema } from './common-schemas';

/** Roles: company admins and employees, and Cabine's customer-care operators (no company). */
export const roleSchema = z.enum(['admin', 'employee', 'operator']);
export type Role = z.infer<typeof roleSchema>;

export const signInRequestSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(256),
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export const userViewSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  extension: z.string().nullable(),
  companyId: idSchema.nullable(),
  premiumBarred: z.boolean(),
});
export type UserView = z.infer<typeof userViewSchema>;

export const signInResponseSchema = z.strictObject({
  token: z.string().meta({ description: 'Bearer token for the Authorization header.' }),
  expiresAt: timestampSchema,
  user: userViewSchema,
});
export type SignInResponse = z.infer<typeof signInResponseSchema>;

export const companyViewSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  currency: currencySchema,
  country: countrySchema,
  sipDomain: z.string(),
  dailyCapMinor: z.int().nonnegative().nullable(),
});
export type CompanyView = z.infer<typeof companyViewSchema>;

export const meResponseSchema = z.strictObject({ user: userViewSchema, company: companyViewSchema.nullable() });
export type MeResponse = z.infer<typeof meResponseSchema>;

/**
 * One RTCIceServer for the app's peer connections. TURN entries carry time-limited credentials in the TURN
 * REST scheme (manager/src/turn/turn-credentials.ts): username "<expiry unix time>:<extension>", credential
 * base64(HMAC-SHA1(coturn's static-auth-secret, username)).
 */
export const iceServerSchema = z.strictObject({
  urls: z.array(z.string().max(300).regex(/^(stuns?|turns?):/i, 'must be a stun:, stuns:, turn: or turns: URL')).min(1).max(8),
  username: z.string().max(128).optional(),
  credential: z.string().max(128).optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/**
 * SIP credentials for Kamailio's auth_ephemeral module: the username is "<expiry unix time>:<extension>",
 * the password base64(HMAC-SHA1(shared secret, username)); both stop working at `expiresAt`.
 */
export const sipConfigResponseSchema = z.strictObject({
  wsUrl: z.string(),
  domain: z.string(),
  extension: z.string(),
  authorizationUsername: z.string(),
  password: z.string(),
  expiresAt: timestampSchema,
  iceServers: z.array(iceServerSchema).max(4).meta({
    description: 'STUN/TURN servers for the calls\' peer connections (RTCConfiguration.iceServers); empty when the deployment has none. The TURN credentials expire with the SIP credentials plus the longest call (CABINE_MAX_CALL_SECONDS), so a call set up just before renewal keeps its relay.',
  }),
  displayName: z.string().max(64).optional().meta({
    description: 'The user\'s name for the From header, already made header-safe (shared/sip/display-name.ts headerDisplayName: no controls, quotes or backslashes, at most 64 characters; the extension when nothing is left).',
  }),
});
export type SipConfigResponse = z.infer<typeof sipConfigResponseSchema>;

/** Manager pages the app may open through a hand-off code. */
export const handoffTargets = ['/prepaid', '/prepaid/add-funds', '/prepaid/settings', '/prepaid/rates', '/prepaid/activity', '/prepaid/people', '/audit', '/account/password'] as const;

export const handoffRequestSchema = z.strictObject({ next: z.enum(handoffTargets) });
export type HandoffRequest = z.infer<typeof handoffRequestSchema>;

export const handoffResponseSchema = z.strictObject({
  code: z.string(),
  url: z.string().meta({ description: 'Path (relative to the manager), `/handoff#code=…`: the page posts the code from the fragment, signs that browser in and opens `next`.' }),
  expiresAt: timestampSchema,
});
export type HandoffResponse = z.infer<typeof handoffResponseSchema>;

export const userListResponseSchema = z.strictObject({ users: z.array(userViewSchema) });

export const barringRequestSchema = z.strictObject({ premiumBarred: z.boolean() });
export type BarringRequest = z.infer<typeof barringRequestSchema>;

export const dailyCapRequestSchema = z.strictObject({
  dailyCapMinor: z.int().positive().nullable().meta({ description: 'Most the company may spend on calls per UTC day; null for no cap.' }),
});
export type DailyCapRequest = z.infer<typeof dailyCapRequestSchema>;

/** The company's switch for high-risk destinations (satellite, international networks): off by default. */
export const highRiskSettingSchema = z.strictObject({
  allowed: z.boolean().meta({ description: 'True lets the company call high-risk destinations; false (the default) refuses them with class_blocked.' }),
});
export type HighRiskSetting = z.infer<typeof highRiskSettingSchema>;
