import { companyIdParamsSchema, idParamsSchema } from './common-schemas';
import type { EndpointSpec } from './endpoints';
import {
  addCompanyNumberRequestSchema, assignNumberRequestSchema, companyNumberListSchema, companyNumberViewSchema, mainNumberRequestSchema,
  myNumberViewSchema, proxyCallerIdQuerySchema, proxyCallerIdResponseSchema, proxyNumberQuerySchema, proxyNumberResponseSchema,
  ringGroupListSchema, ringGroupRequestSchema, ringGroupViewSchema,
} from './number-schemas';

const p = (path: string): string => `/api/v1${path}`;

/** Company numbers (DIDs), ring groups, and the proxy's two look-ups (inbound routing, outgoing caller ID). */
export const numberEndpoints = {
  careNumbers: { method: 'GET', path: p('/care/companies/:companyId/numbers'), summary: "A company's phone numbers (customer care).", auth: 'operator', params: companyIdParamsSchema, responses: { 200: companyNumberListSchema } },
  careAddNumber: { method: 'POST', path: p('/care/companies/:companyId/numbers'), summary: 'Give a company a phone number (E.164); 409 when any company already has it (customer care).', auth: 'operator', params: companyIdParamsSchema, body: addCompanyNumberRequestSchema, responses: { 201: companyNumberViewSchema } },
  careRemoveNumber: { method: 'POST', path: p('/care/numbers/:id/remove'), summary: 'Take a number back from its company (customer care).', auth: 'operator', params: idParamsSchema, responses: { 204: null } },
  listNumbers: { method: 'GET', path: p('/numbers'), summary: "The company's phone numbers and who each one rings (admins).", auth: 'admin', responses: { 200: companyNumberListSchema } },
  assignNumber: { method: 'PUT', path: p('/numbers/:id/assignment'), summary: 'Point a number at a person, a ring group, or nobody (admins).', auth: 'admin', params: idParamsSchema, body: assignNumberRequestSchema, responses: { 200: companyNumberViewSchema } },
  putMainNumber: { method: 'PUT', path: p('/company/main-number'), summary: "Choose the company's main number, the caller ID of people without their own (admins).", auth: 'admin', body: mainNumberRequestSchema, responses: { 200: companyNumberListSchema } },
  listRingGroups: { method: 'GET', path: p('/ring-groups'), summary: "The company's ring groups (admins).", auth: 'admin', responses: { 200: ringGroupListSchema } },
  addRingGroup: { method: 'POST', path: p('/ring-groups'), summary: 'Create a ring group: people of the company who ring at once (admins).', auth: 'admin', body: ringGroupRequestSchema, responses: { 201: ringGroupViewSchema } },
  putRingGroup: { method: 'PUT', path: p('/ring-groups/:id'), summary: "Rename a ring group or change its people (admins).", auth: 'admin', params: idParamsSchema, body: ringGroupRequestSchema, responses: { 200: ringGroupViewSchema } },
  myNumber: { method: 'GET', path: p('/me/number'), summary: 'The caller ID the phone network sees for your calls, and the numbers that ring you.', auth: 'user', responses: { 200: myNumberViewSchema } },
  proxyNumber: { method: 'POST', path: p('/proxy/numbers/lookup'), summary: 'SIP proxy: where a call from the phone network to this number goes (company SIP domain, extensions).', auth: 'proxy', body: proxyNumberQuerySchema, responses: { 200: proxyNumberResponseSchema } },
  proxyCallerId: { method: 'POST', path: p('/proxy/caller-id'), summary: "SIP proxy: the number presented to the trunk (P-Asserted-Identity) for a user's outgoing call.", auth: 'proxy', body: proxyCallerIdQuerySchema, responses: { 200: proxyCallerIdResponseSchema } },
} as const satisfies Record<string, EndpointSpec>;
