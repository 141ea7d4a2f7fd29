import type { AssignNumberRequest, CompanyNumberView, RingGroupView } from '../../../shared/api/number-schemas';
import { e164Pattern } from '../../../shared/api/number-schemas';
import type { AuditActor } from '../audit/audit-trail';
import { recordAudit } from '../audit/audit-trail';
import { ApiError } from '../http/api-error';
import { newId } from '../ids';
import type { Repository, Store, UserRow } from '../store/repository';
import type { CompanyNumberRow } from './number-queries';

/**
 * Company numbers (DIDs) and ring groups (docs/manager.md, "Company numbers"). Customer care gives a company
 * its numbers; the company's admin points each at a person or a ring group and picks a main number. The
 * proxy asks two things: where a call to a number goes (`inboundRoute`) and which number a user's outgoing
 * call presents (`callerIdOf`). Role checks are the API's (`auth` of each endpoint); company isolation is
 * here: every id is looked up within the caller's company, so another company's id is 404, never 403. Each
 * write records its audit entry (`actor`) in its own transaction (customer care's filed under the company).
 */

/** Deactivation and removal (manager/src/people, migration 8), read whether or not the row has them. */
type Lifecycle = { readonly deactivatedAt?: number | null; readonly removedAt?: number | null };

/** Deactivated or removed: rung by nothing, presents nothing. */
export function inactive(user: UserRow): boolean {
  const lifecycle = user as UserRow & Lifecycle;
  return Boolean(lifecycle.deactivatedAt) || Boolean(lifecycle.removedAt);
}

const removed = (user: UserRow): boolean => Boolean((user as UserRow & Lifecycle).removedAt);

/** A person who can be rung or can present a number: of the company, not deactivated, not removed, with an extension. */
function reachable(user: UserRow | null, companyId: string): user is UserRow & { extension: string } {
  return user !== null && user.companyId === companyId && user.extension !== null && !inactive(user);
}

async function companyUser(store: Store, companyId: string, userId: string): Promise<UserRow> {
  const user = await store.getUser(userId);
  if (!user || user.companyId !== companyId || removed(user)) throw new ApiError(404, 'not_found', 'No such person');
  return user;
}

async function numberView(store: Store, row: CompanyNumberRow): Promise<CompanyNumberView> {
  let assignedTo: CompanyNumberView['assignedTo'] = null;
  if (row.targetUserId !== null) {
    const user = await store.getUser(row.targetUserId);
    if (user) assignedTo = { kind: 'user', id: user.id, displayName: user.displayName, extension: user.extension };
  } else if (row.targetGroupId !== null) {
    const group = await store.numbers.group(row.companyId, row.targetGroupId);
    if (group) assignedTo = { kind: 'group', id: group.id, name: group.name };
  }
  return { id: row.id, e164: row.e164, companyId: row.companyId, label: row.label, main: row.main, assignedTo, createdAt: new Date(row.createdAt).toISOString() };
}

export async function listCompanyNumbers(repository: Repository, companyId: string): Promise<CompanyNumberView[]> {
  const store = repository.store;
  const rows = await store.numbers.ofCompany(companyId);
  return Promise.all(rows.map((row) => numberView(store, row)));
}

/** Customer care: a number for a company. 404 for an unknown company, 409 when any company already has it. */
export async function addCompanyNumber(repository: Repository, args: { companyId: string; e164: string; label: string | null; actor: AuditActor; now: number }): Promise<CompanyNumberView> {
  if (!e164Pattern.test(args.e164)) throw new ApiError(400, 'validation_failed', 'Not an E.164 number');
  return repository.transaction(async (tx) => {
    if (!(await tx.getCompany(args.companyId))) throw new ApiError(404, 'not_found', 'No such company');
    const row: CompanyNumberRow = {
      e164: args.e164, id: newId('num'), companyId: args.companyId, label: args.label, targetUserId: null, targetGroupId: null, main: false, createdAt: args.now,
    };
    if (!(await tx.numbers.insert(row))) throw new ApiError(409, 'conflict', 'This number already belongs to a company');
    await recordAudit(tx, { companyId: args.companyId, actor: args.actor, action: 'number.added', target: row.id, details: { e164: row.e164, label: row.label }, at: args.now });
    return numberView(tx, row);
  });
}

export async function removeCompanyNumber(repository: Repository, id: string, actor: AuditActor, now: number): Promise<void> {
  await repository.transaction(async (tx) => {
    const row = await tx.numbers.byIdAnyCompany(id);
    if (!row) throw new ApiError(404, 'not_found', 'No such number');
    await tx.numbers.remove(id);
    await recordAudit(tx, { companyId: row.companyId, actor, action: 'number.removed', target: row.id, details: { e164: row.e164 }, at: now });
  });
}

export async function assignCompanyNumber(repository: Repository, companyId: string, numberId: string, request: AssignNumberRequest, actor: AuditActor, now: number): Promise<CompanyNumberView> {
  return repository.transaction(async (tx) => {
    const row = await tx.numbers.byId(companyId, numberId);
    if (!row) throw new ApiError(404, 'not_found', 'No such number');
    let target: { userId: string | null; groupId: string | null } = { userId: null, groupId: null };
    switch (request.kind) {
      case 'user': {
        const user = await companyUser(tx, companyId, request.userId);
        if (user.extension === null) throw new ApiError(400, 'bad_request', 'This person has no extension to ring');
        target = { userId: user.id, groupId: null };
        break;
      }
      case 'group': {
        if (!(await tx.numbers.group(companyId, request.groupId))) throw new ApiError(404, 'not_found', 'No such ring group');
        target = { userId: null, groupId: request.groupId };
        break;
      }
      case 'none':
        break;
      default: {
        const never: never = request;
        throw new Error(`unhandled assignment ${JSON.stringify(never)}`);
      }
    }
    await tx.numbers.setTarget(companyId, numberId, target);
    await recordAudit(tx, { companyId, actor, action: 'number.assigned', target: numberId, details: { kind: request.kind, userId: target.userId, groupId: target.groupId }, at: now });
    const updated = await tx.numbers.byId(companyId, numberId);
    if (!updated) throw new ApiError(404, 'not_found', 'No such number');
    return numberView(tx, updated);
  });
}

export async function setMainNumber(repository: Repository, companyId: string, numberId: string | null, actor: AuditActor, now: number): Promise<CompanyNumberView[]> {
  await repository.transaction(async (tx) => {
    if (numberId !== null && !(await tx.numbers.byId(companyId, numberId))) throw new ApiError(404, 'not_found', 'No such number');
    await tx.numbers.setMain(companyId, numberId);
    await recordAudit(tx, { companyId, actor, action: 'main_number.changed', details: { numberId }, at: now });
  });
  return listCompanyNumbers(repository, companyId);
}

async function groupView(store: Store, companyId: string, groupId: string): Promise<RingGroupView> {
  const group = await store.numbers.group(companyId, groupId);
  if (!group) throw new ApiError(404, 'not_found', 'No such ring group');
  const members: RingGroupView['members'] = [];
  for (const userId of await store.numbers.members(group.id)) {
    const user = await store.getUser(userId);
    if (user && !removed(user)) members.push({ userId: user.id, displayName: user.displayName, extension: user.extension });
  }
  return { id: group.id, name: group.name, members };
}

export async function listRingGroups(repository: Repository, companyId: string): Promise<RingGroupView[]> {
  const store = repository.store;
  const groups = await store.numbers.groups(companyId);
  return Promise.all(groups.map((group) => groupView(store, companyId, group.id)));
}

/** Creates (groupId null) or replaces a ring group; every member must be a person of the company (else 404). */
export async function saveRingGroup(repository: Repository, args: { companyId: string; groupId: string | null; name: string; memberIds: readonly string[]; actor: AuditActor; now: number }): Promise<RingGroupView> {
  return repository.transaction(async (tx) => {
    for (const userId of args.memberIds) {
      const user = await companyUser(tx, args.companyId, userId);
      if (user.extension === null) throw new ApiError(400, 'bad_request', `${user.displayName} has no extension to ring`);
    }
    const sameName = await tx.numbers.groupByName(args.companyId, args.name);
    if (sameName && sameName.id !== args.groupId) throw new ApiError(409, 'conflict', 'A ring group already has this name');
    let groupId = args.groupId;
    if (groupId === null) {
      groupId = newId('grp');
      await tx.numbers.insertGroup({ id: groupId, companyId: args.companyId, name: args.name, createdAt: args.now });
    } else {
      if (!(await tx.numbers.group(args.companyId, groupId))) throw new ApiError(404, 'not_found', 'No such ring group');
      await tx.numbers.renameGroup(args.companyId, groupId, args.name);
    }
    await tx.numbers.setMembers(groupId, args.memberIds);
    await recordAudit(tx, { companyId: args.companyId, actor: args.actor, action: 'ring_group.saved', target: groupId, details: { name: args.name, memberIds: [...args.memberIds] }, at: args.now });
    return groupView(tx, args.companyId, groupId);
  });
}

/**
 * The number a user's outgoing calls present: the first number assigned to them (by E.164 order), else the
 * company's main number, else none. Never anything the phone sends: the proxy strips the caller's own
 * identity headers and sets P-Asserted-Identity from this answer alone.
 */
export async function callerIdOf(store: Store, companyId: string, userId: string): Promise<{ callerId: string | null; source: 'own' | 'main' | 'none' }> {
  const own = (await store.numbers.ofUser(companyId, userId))[0];
  if (own) return { callerId: own.e164, source: 'own' };
  const main = await store.numbers.mainOf(companyId);
  if (main) return { callerId: main.e164, source: 'main' };
  return { callerId: null, source: 'none' };
}

/** The numbers that ring a user: their own and their ring groups'. */
export async function numbersRinging(store: Store, companyId: string, userId: string): Promise<string[]> {
  const own = await store.numbers.ofUser(companyId, userId);
  const viaGroups = await store.numbers.ofGroups(companyId, await store.numbers.groupsOfUser(companyId, userId));
  return [...new Set([...own, ...viaGroups].map((row) => row.e164))].sort();
}

/**
 * The proxy's inbound question: which company owns `dialed`, and which extensions ring. Carriers write the
 * called number in several ways (E.164, without "+", with "00"); each is read as international. Unknown
 * numbers, numbers assigned to nobody and people who cannot be rung (deactivated, removed) give no target.
 */
export async function inboundRoute(store: Store, dialed: string): Promise<{ found: boolean; e164: string; sipDomain: string; extensions: string[] }> {
  const digits = dialed.trim().replace(/^(\+|00)/, '');
  const e164 = `+${digits}`;
  const none = { found: false, e164: e164Pattern.test(e164) ? e164 : '', sipDomain: '', extensions: [] };
  if (!e164Pattern.test(e164)) return none;
  const row = await store.numbers.byE164(e164);
  if (!row) return none;
  const company = await store.getCompany(row.companyId);
  if (!company) return none;
  let userIds: string[] = [];
  if (row.targetUserId !== null) userIds = [row.targetUserId];
  else if (row.targetGroupId !== null) userIds = await store.numbers.members(row.targetGroupId);
  const extensions: string[] = [];
  for (const userId of userIds) {
    const user = await store.getUser(userId);
    if (reachable(user, company.id)) extensions.push(user.extension);
  }
  return { found: extensions.length > 0, e164, sipDomain: company.sipDomain, extensions: [...new Set(extensions)].sort() };
}
