import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BitrixClient } from '../integrations/bitrix/bitrix.client';
import { mapDepartment, mapUser } from '../integrations/bitrix/bitrix.mapping';

export interface DirectoryOutcome {
  departments: number;
  employees: number;
}

const UPSERT_DEPARTMENTS = `
  WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(bitrix_id int, name text, parent int)),
  upserted AS (
    INSERT INTO departments AS d (bitrix_id, name) SELECT bitrix_id, left(name, 255) FROM input
    ON CONFLICT (bitrix_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now() WHERE d.name IS DISTINCT FROM EXCLUDED.name
    RETURNING d.id
  )
  SELECT count(*)::int AS changed FROM upserted`;

const LINK_PARENTS = `
  UPDATE departments d SET parent_id = p.id, updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS x(bitrix_id int, parent int) LEFT JOIN departments p ON p.bitrix_id = x.parent
   WHERE d.bitrix_id = x.bitrix_id AND d.parent_id IS DISTINCT FROM p.id`;

/** Employees by Bitrix24 user id; their departments become our ids, the primary (first) one first. */
const UPSERT_EMPLOYEES = `
  WITH input AS (
    SELECT u.bitrix_user_id, left(u.name, 255) AS name, left(u.position, 255) AS position, left(u.email, 255) AS email, u.active,
           coalesce((SELECT array_agg(d.id ORDER BY x.ord) FROM unnest(u.departments) WITH ORDINALITY AS x(bitrix_id, ord)
                       JOIN departments d ON d.bitrix_id = x.bitrix_id), '{}') AS department_ids
      FROM jsonb_to_recordset($1::jsonb) AS u(bitrix_user_id int, name text, position text, email text, active boolean, departments int[])
  ),
  upserted AS (
    INSERT INTO employees AS e (bitrix_user_id, name, position, email, active, department_ids)
    SELECT bitrix_user_id, name, position, email, active, department_ids FROM input
    ON CONFLICT (bitrix_user_id) DO UPDATE
      SET name = EXCLUDED.name, position = EXCLUDED.position, email = EXCLUDED.email, active = EXCLUDED.active,
          department_ids = EXCLUDED.department_ids, updated_at = now()
    WHERE (e.name, e.position, e.email, e.active, e.department_ids)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position, EXCLUDED.email, EXCLUDED.active, EXCLUDED.department_ids)
    RETURNING e.id, e.name
  ),
  renamed AS (
    UPDATE calls c SET manager_name = u.name FROM upserted u WHERE c.employee_id = u.id AND c.manager_name IS DISTINCT FROM u.name
  )
  SELECT count(*)::int AS changed FROM upserted`;

/** Users the portal no longer lists (deleted, or no longer employees) stay for history, inactive. */
const DEACTIVATE_MISSING = `
  UPDATE employees SET active = false, updated_at = now()
   WHERE bitrix_user_id IS NOT NULL AND active AND NOT (bitrix_user_id = ANY($1::int[]))`;

/** Calls stored before their employee was known get linked once the employee arrives. */
const LINK_CALLS = `
  UPDATE calls c SET employee_id = e.id, manager_name = e.name, updated_at = now()
    FROM employees e
   WHERE c.employee_id IS NULL AND c.bitrix_user_id IS NOT NULL AND e.bitrix_user_id = c.bitrix_user_id`;

/** `user.get` and `department.get` into employees and departments, refreshed on every sync. */
@Injectable()
export class EmployeeDirectory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: BitrixClient,
  ) {}

  /** Fetches both lists first, then stores them in one transaction: a failed fetch changes nothing. */
  async refresh(): Promise<DirectoryOutcome> {
    const [departments, users] = await Promise.all([this.client.departments(), this.client.users()]);
    const departmentRows = departments.map(mapDepartment).map((d) => ({ bitrix_id: d.bitrixDepartmentId, name: d.name, parent: d.parentId }));
    const userRows = users.map(mapUser).map((u) => ({
      bitrix_user_id: u.bitrixUserId, name: u.name, position: u.position, email: u.email, active: u.active, departments: u.departmentIds,
    }));
    return this.dataSource.transaction(async (manager) => {
      const [{ changed: departmentsChanged }] = await manager.query(UPSERT_DEPARTMENTS, [JSON.stringify(departmentRows)]);
      await manager.query(LINK_PARENTS, [JSON.stringify(departmentRows)]);
      const [{ changed: employeesChanged }] = await manager.query(UPSERT_EMPLOYEES, [JSON.stringify(userRows)]);
      if (userRows.length > 0) await manager.query(DEACTIVATE_MISSING, [userRows.map((u) => u.bitrix_user_id)]);
      await manager.query(LINK_CALLS);
      return { departments: departmentsChanged as number, employees: employeesChanged as number };
    });
  }

  async knows(bitrixUserId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM employees WHERE bitrix_user_id = $1', [bitrixUserId]);
    return rows.length > 0;
  }
}
