import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DepartmentDto, EmployeeDto } from './employee.dto';

@Injectable()
export class EmployeesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  employees(): Promise<EmployeeDto[]> {
    return this.dataSource.query(
      `SELECT e.id, e.name, e.position, e.active, e.bitrix_user_id AS "bitrixUserId",
              coalesce(json_agg(json_build_object('id', d.id, 'name', d.name) ORDER BY array_position(e.department_ids, d.id))
                       FILTER (WHERE d.id IS NOT NULL), '[]') AS departments
         FROM employees e LEFT JOIN departments d ON d.id = ANY(e.department_ids)
        GROUP BY e.id ORDER BY e.active DESC, e.name, e.id`,
    );
  }

  departments(): Promise<DepartmentDto[]> {
    return this.dataSource.query(
      `SELECT d.id, d.name, d.parent_id AS "parentId", d.bitrix_id AS "bitrixId",
              (SELECT count(*)::int FROM employees e WHERE d.id = ANY(e.department_ids) AND e.active) AS "employeeCount"
         FROM departments d ORDER BY d.name, d.id`,
    );
  }
}
