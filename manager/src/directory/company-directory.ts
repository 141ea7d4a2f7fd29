import type { DirectoryGroup, DirectoryNumber, DirectoryPerson, DirectoryResponse } from '../../../shared/api/directory-schemas';
import { inactive } from '../numbers/company-numbers';
import type { Store, UserRow } from '../store/repository';

/** Who reads the directory: it lists their company only, and emails only for an admin. */
export type DirectoryReader = Pick<UserRow, 'id' | 'companyId' | 'role'>;

/**
 * The company directory for one signed-in person (GET /api/v1/directory, the app's Contacts): the people
 * who can be called (of the reader's company, with an extension, neither deactivated nor removed), each
 * with the company numbers that ring them; ring groups with their numbers and members; every company
 * number with whom it rings. Everything is read by the reader's company id, so another company's people,
 * groups and numbers cannot appear.
 */
export async function companyDirectory(store: Store, reader: DirectoryReader): Promise<DirectoryResponse> {
  const companyId = reader.companyId;
  if (companyId === null) return { people: [], groups: [], numbers: [] };
  const users = (await store.listUsers(companyId)).filter((user): user is UserRow & { extension: string } => user.companyId === companyId && user.extension !== null && !inactive(user) && user.role !== 'operator');
  const numbers = await store.numbers.ofCompany(companyId);
  const groups = await store.numbers.groups(companyId);
  const members = new Map<string, string[]>();
  for (const group of groups) members.set(group.id, await store.numbers.members(group.id));
  const listed = new Set(users.map((user) => user.id));
  const names = new Map<string, string>([...users.map((user) => [user.id, user.displayName] as const), ...groups.map((group) => [group.id, group.name] as const)]);

  const numbersOf = (userId: string): string[] => {
    const own = numbers.filter((row) => row.targetUserId === userId);
    const viaGroups = numbers.filter((row) => row.targetGroupId !== null && (members.get(row.targetGroupId) ?? []).includes(userId));
    return [...new Set([...own, ...viaGroups].map((row) => row.e164))].sort();
  };
  const people: DirectoryPerson[] = users
    .map((user) => ({
      id: user.id, displayName: user.displayName, extension: user.extension, numbers: numbersOf(user.id),
      email: reader.role === 'admin' || user.id === reader.id ? user.email : null, role: user.role === 'admin' ? 'admin' as const : 'employee' as const,
    }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.extension.localeCompare(b.extension));
  const groupViews: DirectoryGroup[] = groups.map((group) => ({
    id: group.id, name: group.name,
    numbers: numbers.filter((row) => row.targetGroupId === group.id).map((row) => row.e164).sort(),
    memberIds: (members.get(group.id) ?? []).filter((id) => listed.has(id)),
  }));
  const numberViews: DirectoryNumber[] = numbers.map((row) => {
    const target = row.targetUserId ?? row.targetGroupId;
    return { e164: row.e164, label: row.label, main: row.main, ringsName: target === null ? null : (names.get(target) ?? null) };
  });
  return { people, groups: groupViews, numbers: numberViews };
}
