import { z } from 'zod';
import { companyViewSchema, userViewSchema } from '../api/auth-schemas';

/**
 * The app's manager session as the renderer sees it: who is signed in, to which manager. The bearer token
 * is not part of it: it stays with the host (main process, or the web host's closure).
 */
export const managerSessionSchema = z.strictObject({
  origin: z.string().max(2048),
  user: userViewSchema,
  company: companyViewSchema.nullable(),
});
export type ManagerSession = z.infer<typeof managerSessionSchema>;

/** What the company sign-in form sends. */
export const managerSignInSchema = z.strictObject({
  managerUrl: z.string().min(1).max(2048),
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type ManagerSignIn = z.infer<typeof managerSignInSchema>;
