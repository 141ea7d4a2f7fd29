import { z } from 'zod';
import { iceServerSchema } from './api/auth-schemas.js';
import { checkSipServerUrl } from './sip/server-url.js';

/** Countries the dialer formats numbers for; France first (the plan's home country). */
export const dialCountries = ['FR', 'BE', 'CH', 'LU', 'DE', 'ES', 'IT', 'GB', 'NL', 'PT', 'IE', 'AT', 'US', 'CA'] as const;
export const dialCountrySchema = z.enum(dialCountries);
export type DialCountry = z.infer<typeof dialCountrySchema>;

export const languageSettingSchema = z.enum(['system', 'en', 'fr']);
export type LanguageSetting = z.infer<typeof languageSettingSchema>;

/** The non-secret settings of the app. The SIP password is never part of them (see SipCredentials). */
export const settingsSchema = z
  .object({
    /** Country whose national numbers the dialer assumes. */
    defaultCountry: dialCountrySchema,
    language: languageSettingSchema,
    /** `deviceId` of the output that plays the ringtone; `default` is the system's. */
    ringerDeviceId: z.string().max(256),
    /** `deviceId` of the input calls record from; `default` is the system's. */
    microphoneDeviceId: z.string().max(256),
    /** `deviceId` of the output calls play on (and the ringback); `default` is the system's. */
    speakerDeviceId: z.string().max(256),
    /**
     * Unused since the SIP server announces the balance itself (docs/sip-server.md): kept so settings files
     * written by earlier versions still pass electron-store's JSON schema.
     */
    announceBalance: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = {
  defaultCountry: 'FR',
  language: 'system',
  ringerDeviceId: 'default',
  microphoneDeviceId: 'default',
  speakerDeviceId: 'default',
  announceBalance: true,
};

export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** A SIP account as the user signs in with it. */
export const sipAccountSchema = z
  .object({
    /** `wss://`, or `ws://` to this machine only (shared/sip/server-url.ts). */
    server: z
      .string()
      .max(512)
      .refine((s) => checkSipServerUrl(s) === 'ok', 'Server must be a wss:// URL (ws:// only for a loopback host)'),
    username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._~+-]+$/, 'Username has characters SIP does not allow'),
    domain: z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$/, 'Domain must be a host name'),
    displayName: z.string().max(64).optional(),
    /**
     * The digest username when it differs from the SIP user: the manager's time-limited credentials for
     * Kamailio's auth_ephemeral are "<expiry unix time>:<extension>@<SIP domain>" (GET /api/v1/sip-config).
     */
    authorizationUsername: z.string().min(1).max(384).regex(/^[A-Za-z0-9._~+:@-]+$/, 'Authorization username has characters SIP does not allow').optional(),
  })
  .strict();
export type SipAccount = z.infer<typeof sipAccountSchema>;

export const sipCredentialsSchema = z
  .object({
    account: sipAccountSchema,
    password: z.string().min(1).max(256),
    /** STUN/TURN servers with time-limited credentials, from the manager's sip-config; none for a typed-in account. */
    iceServers: z.array(iceServerSchema).max(4).optional(),
  })
  .strict();
export type SipCredentials = z.infer<typeof sipCredentialsSchema>;
