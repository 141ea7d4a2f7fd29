import type { SqlExecutor, SqlRow } from '../store/sql-executor';

/** One row of `company_numbers` (migration 9). */
export interface CompanyNumberRow {
  readonly e164: string;
  readonly id: string;
  readonly companyId: string;
  readonly label: string | null;
  readonly targetUserId: string | null;
  readonly targetGroupId: string | null;
  readonly main: boolean;
  readonly createdAt: number;
}

export interface RingGroupRow {
  readonly id: string;
  readonly companyId: string;
  readonly name: string;
  readonly createdAt: number;
}

function numberRow(row: SqlRow): CompanyNumberRow {
  return {
    e164: String(row['e164']), id: String(row['id']), companyId: String(row['company_id']),
    label: row['label'] === null || row['label'] === undefined ? null : String(row['label']),
    targetUserId: row['target_user_id'] === null || row['target_user_id'] === undefined ? null : String(row['target_user_id']),
    targetGroupId: row['target_group_id'] === null || row['target_group_id'] === undefined ? null : String(row['target_group_id']),
    main: row['is_main'] === 1 || row['is_main'] === true, createdAt: Number(row['created_at']),
  };
}

function groupRow(row: SqlRow): RingGroupRow {
  return { id: String(row['id']), companyId: String(row['company_id']), name: String(row['name']), createdAt: Number(row['created_at']) };
}

/**
 * The SQL of company numbers and ring groups, over the store's connection (inside a transaction when the
 * store is a transaction's). Every read and write that an admin reaches is scoped by `company_id`, so an id
 * of another company matches nothing (the API turns that into 404).
 */
export class NumberQueries {
  constructor(private readonly db: SqlExecutor) {}

  async byE164(e164: string): Promise<CompanyNumberRow | null> {
    const rows = await this.db.all('SELECT * FROM company_numbers WHERE e164 = ?', [e164]);
    return rows[0] ? numberRow(rows[0]) : null;
  }

  async byId(companyId: string, id: string): Promise<CompanyNumberRow | null> {
    const rows = await this.db.all('SELECT * FROM company_numbers WHERE company_id = ? AND id = ?', [companyId, id]);
    return rows[0] ? numberRow(rows[0]) : null;
  }

  async byIdAnyCompany(id: string): Promise<CompanyNumberRow | null> {
    const rows = await this.db.all('SELECT * FROM company_numbers WHERE id = ?', [id]);
    return rows[0] ? numberRow(rows[0]) : null;
  }

  async ofCompany(companyId: string): Promise<CompanyNumberRow[]> {
    return (await this.db.all('SELECT * FROM company_numbers WHERE company_id = ? ORDER BY e164', [companyId])).map(numberRow);
  }

  async ofUser(companyId: string, userId: string): Promise<CompanyNumberRow[]> {
    return (await this.db.all('SELECT * FROM company_numbers WHERE company_id = ? AND target_user_id = ? ORDER BY e164', [companyId, userId])).map(numberRow);
  }

  async ofGroups(companyId: string, groupIds: readonly string[]): Promise<CompanyNumberRow[]> {
    if (groupIds.length === 0) return [];
    const marks = groupIds.map(() => '?').join(', ');
    return (await this.db.all(`SELECT * FROM company_numbers WHERE company_id = ? AND target_group_id IN (${marks}) ORDER BY e164`, [companyId, ...groupIds])).map(numberRow);
  }

  async mainOf(companyId: string): Promise<CompanyNumberRow | null> {
    const rows = await this.db.all('SELECT * FROM company_numbers WHERE company_id = ? AND is_main = 1', [companyId]);
    return rows[0] ? numberRow(rows[0]) : null;
  }

  /** Inserts a number; false when the E.164 (or the id) is already taken, by any company. */
  async insert(row: CompanyNumberRow): Promise<boolean> {
    const changed = await this.db.run(
      'INSERT INTO company_numbers (e164, id, company_id, label, target_user_id, target_group_id, is_main, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [row.e164, row.id, row.companyId, row.label, row.targetUserId, row.targetGroupId, row.main ? 1 : 0, row.createdAt],
    );
    return changed === 1;
  }

  async remove(id: string): Promise<void> {
    await this.db.run('DELETE FROM company_numbers WHERE id = ?', [id]);
  }

  async setTarget(companyId: string, id: string, target: { userId: string | null; groupId: string | null }): Promise<void> {
    await this.db.run('UPDATE company_numbers SET target_user_id = ?, target_group_id = ? WHERE company_id = ? AND id = ?', [target.userId, target.groupId, companyId, id]);
  }

  /** Makes `id` the company's only main number (null: none). Clears first: the partial unique index holds throughout. */
  async setMain(companyId: string, id: string | null): Promise<void> {
    await this.db.run('UPDATE company_numbers SET is_main = 0 WHERE company_id = ? AND is_main = 1', [companyId]);
    if (id !== null) await this.db.run('UPDATE company_numbers SET is_main = 1 WHERE company_id = ? AND id = ?', [companyId, id]);
  }

  async groups(companyId: string): Promise<RingGroupRow[]> {
    return (await this.db.all('SELECT * FROM ring_groups WHERE company_id = ? ORDER BY name', [companyId])).map(groupRow);
  }

  async group(companyId: string, id: string): Promise<RingGroupRow | null> {
    const rows = await this.db.all('SELECT * FROM ring_groups WHERE company_id = ? AND id = ?', [companyId, id]);
    return rows[0] ? groupRow(rows[0]) : null;
  }

  async groupByName(companyId: string, name: string): Promise<RingGroupRow | null> {
    const rows = await this.db.all('SELECT * FROM ring_groups WHERE company_id = ? AND name = ?', [companyId, name]);
    return rows[0] ? groupRow(rows[0]) : null;
  }

  /** The group ids a user belongs to, within the company. */
  async groupsOfUser(companyId: string, userId: string): Promise<string[]> {
    const rows = await this.db.all(
      'SELECT g.id FROM ring_groups g JOIN ring_group_members m ON m.group_id = g.id WHERE g.company_id = ? AND m.user_id = ? ORDER BY g.id',
      [companyId, userId],
    );
    return rows.map((row) => String(row['id']));
  }

  async members(groupId: string): Promise<string[]> {
    return (await this.db.all('SELECT user_id FROM ring_group_members WHERE group_id = ? ORDER BY user_id', [groupId])).map((row) => String(row['user_id']));
  }

  async insertGroup(row: RingGroupRow): Promise<void> {
    await this.db.run('INSERT INTO ring_groups (id, company_id, name, created_at) VALUES (?, ?, ?, ?)', [row.id, row.companyId, row.name, row.createdAt]);
  }

  async renameGroup(companyId: string, id: string, name: string): Promise<void> {
    await this.db.run('UPDATE ring_groups SET name = ? WHERE company_id = ? AND id = ?', [name, companyId, id]);
  }

  async setMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    await this.db.run('DELETE FROM ring_group_members WHERE group_id = ?', [groupId]);
    for (const userId of userIds) await this.db.run('INSERT INTO ring_group_members (group_id, user_id) VALUES (?, ?)', [groupId, userId]);
  }
}
