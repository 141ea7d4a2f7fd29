import { idParamsSchema } from './common-schemas';
import type { EndpointSpec } from './endpoints';
import {
  addPersonRequestSchema, addPersonResponseSchema, auditListResponseSchema, auditQuerySchema, changePasswordRequestSchema,
  onboardCompanyRequestSchema, onboardCompanyResponseSchema, passwordLinkResponseSchema, personListResponseSchema, personViewSchema,
  setPasswordRequestSchema, sipRevocationListSchema, sipRevocationQuerySchema, updatePersonRequestSchema,
} from './people-schemas';

const p = (path: string): string => `/api/v1${path}`;

/** People, onboarding, passwords, the audit trail and the proxy's revocation list. */
export const peopleEndpoints = {
  listPeople: { method: 'GET', path: p('/people'), summary: "The company's people, removed ones excepted (admins).", auth: 'admin', responses: { 200: personListResponseSchema } },
  addPerson: { method: 'POST', path: p('/people'), summary: 'Add an employee or admin; they get a welcome mail with a one-time link to set a password (admins).', auth: 'admin', body: addPersonRequestSchema, responses: { 201: addPersonResponseSchema } },
  updatePerson: { method: 'PUT', path: p('/people/:id'), summary: "Change a person's role, extension, name or paid-service barring (admins).", auth: 'admin', params: idParamsSchema, body: updatePersonRequestSchema, responses: { 200: personViewSchema } },
  deactivatePerson: { method: 'POST', path: p('/people/:id/deactivate'), summary: 'Deactivate: sessions end, SIP credentials and registrations are revoked at the proxy, calls in progress end (admins).', auth: 'admin', params: idParamsSchema, responses: { 200: personViewSchema } },
  reactivatePerson: { method: 'POST', path: p('/people/:id/reactivate'), summary: 'Reactivate a deactivated person; credentials issued before stay refused (admins).', auth: 'admin', params: idParamsSchema, responses: { 200: personViewSchema } },
  removePerson: { method: 'POST', path: p('/people/:id/remove'), summary: 'Remove a person: as deactivation, and their email and extension are freed; their calls and top-ups stay in the history (admins).', auth: 'admin', params: idParamsSchema, responses: { 204: null } },
  sendPasswordReset: { method: 'POST', path: p('/people/:id/password-reset'), summary: 'Mail a one-time link to set a new password (admins).', auth: 'admin', params: idParamsSchema, responses: { 200: passwordLinkResponseSchema } },
  changePassword: { method: 'POST', path: p('/me/password'), summary: 'Change your own password (the current one is required); your other sessions end.', auth: 'user', body: changePasswordRequestSchema, responses: { 204: null } },
  setPassword: { method: 'POST', path: p('/auth/set-password'), summary: 'Set a password with a one-time link (welcome or reset).', auth: 'none', body: setPasswordRequestSchema, responses: { 204: null } },
  onboardCompany: { method: 'POST', path: p('/care/companies'), summary: 'Create a company and its first admin, who gets a one-time link to set a password (customer care).', auth: 'operator', body: onboardCompanyRequestSchema, responses: { 201: onboardCompanyResponseSchema } },
  audit: { method: 'GET', path: p('/audit'), summary: "The audit trail, newest first: the company's (admins), every company's (customer care).", auth: 'user', query: auditQuerySchema, responses: { 200: auditListResponseSchema } },
  sipRevocations: { method: 'GET', path: p('/proxy/sip-revocations'), summary: 'SIP proxy: the credentials to refuse (deactivated people, reassigned extensions), rebuilt at its start.', auth: 'proxy', query: sipRevocationQuerySchema, responses: { 200: sipRevocationListSchema } },
} as const satisfies Record<string, EndpointSpec>;
