import { FindOptionsOrder, FindOptionsSelect, FindOptionsWhere, In, ObjectLiteral, Repository } from 'typeorm';

export interface PageOptions<Entity> {
  where?: FindOptionsWhere<Entity>;
  order: FindOptionsOrder<Entity>;
  select?: FindOptionsSelect<Entity>;
}

/**
 * A page of rows and the total, like `findAndCount` with `skip` and `take`, but with LIMIT and OFFSET sent as bind
 * parameters: TypeORM writes its own into the SQL text. The page's ids are found first, then their rows loaded.
 */
export async function findPage<Entity extends ObjectLiteral & { id: number }>(
  repository: Repository<Entity>, options: PageOptions<Entity>, page: number, pageSize: number,
): Promise<{ items: Entity[]; total: number }> {
  const idSelect = { id: true } as FindOptionsSelect<Entity>;
  const [sql, params] = repository.createQueryBuilder('row').setFindOptions({ where: options.where, order: options.order, select: idSelect }).getQueryAndParameters();
  const offset = (page - 1) * pageSize;
  const [rows, total] = await Promise.all([
    // The builder's alias is `row`, so TypeORM names the selected id `row_id`.
    repository.query(`${sql} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, pageSize, offset]) as Promise<{ row_id: number }[]>,
    repository.count({ where: options.where }),
  ]);
  if (!rows.length) return { items: [], total };
  const where = { ...options.where, id: In(rows.map((row) => row.row_id)) } as FindOptionsWhere<Entity>;
  return { items: await repository.find({ where, order: options.order, select: options.select }), total };
}
