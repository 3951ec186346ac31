export class DepartmentRefDto {
  id: number;
  /** @example "Отдел продаж" */
  name: string;
}

export class EmployeeDto {
  /** @example 7 */
  id: number;
  /** @example "Анна Смирнова" */
  name: string;
  position: string | null;
  active: boolean;
  bitrixUserId: number | null;
  /** Primary department first. */
  departments: DepartmentRefDto[];
}

export class DepartmentDto {
  id: number;
  /** @example "Отдел продаж" */
  name: string;
  parentId: number | null;
  bitrixId: number | null;
  /** @example 12 */
  employeeCount: number;
}
