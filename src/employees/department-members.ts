/** Folds what a department name may differ in when typed: letter case, «ё», spaces around it. */
const folded = (value: string) => `lower(translate(btrim(${value}), 'Ёё', 'Ее'))`;

/**
 * The ids of the employees in a department given by id, or by name in any letter case and with «е» for «ё»;
 * `bind` makes each value a bind parameter. The calls list and analytics filter by it alike.
 */
export function departmentMembersSql(department: string, bind: (value: unknown) => string): string {
  const condition = /^\d+$/.test(department.trim()) ? `d.id = ${bind(Number(department))}` : `${folded('d.name')} = ${folded(bind(department))}`;
  return `SELECT e.id FROM employees e JOIN departments d ON d.id = ANY(e.department_ids) WHERE ${condition}`;
}
