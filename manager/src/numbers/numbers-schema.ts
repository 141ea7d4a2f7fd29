/**
 * Migration 9 (manager/src/store/migrations.ts): company numbers and ring groups, the same SQL for SQLite and
 * PostgreSQL. `company_numbers.e164` is the primary key, so a number belongs to one company of the whole
 * stack at most: two companies can never both be rung by, or present, the same number. A partial unique
 * index keeps one main number per company.
 */
export const companyNumbersSql = `
CREATE TABLE ring_groups (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (company_id, name)
);
CREATE TABLE ring_group_members (
  group_id TEXT NOT NULL REFERENCES ring_groups(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE company_numbers (
  e164 TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  company_id TEXT NOT NULL REFERENCES companies(id),
  label TEXT,
  target_user_id TEXT REFERENCES users(id),
  target_group_id TEXT REFERENCES ring_groups(id),
  is_main INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
  created_at BIGINT NOT NULL,
  CHECK (target_user_id IS NULL OR target_group_id IS NULL)
);
CREATE INDEX company_numbers_company ON company_numbers (company_id);
CREATE INDEX company_numbers_user ON company_numbers (target_user_id);
CREATE UNIQUE INDEX company_numbers_one_main ON company_numbers (company_id) WHERE is_main = 1;
`;
