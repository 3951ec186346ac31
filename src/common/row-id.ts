import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { ValidateBy } from 'class-validator';
import { OptionalWholeNumber } from './dto/whole-number';

/** Every id is a PostgreSQL `serial` (int4) column, so a row id runs from 1 to 2,147,483,647. */
export const MAX_ROW_ID = 2_147_483_647;

export function isRowId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_ROW_ID;
}

export function isRowIdText(text: string): boolean {
  return /^\d+$/.test(text) && isRowId(Number(text));
}

/**
 * A path id checked against the column's range before any query: otherwise a 400 naming the parameter. The global
 * validation pipe has already made a number of the text of a `number` parameter.
 */
@Injectable()
export class ParseRowIdPipe implements PipeTransform<string | number, number> {
  transform(value: string | number, metadata: ArgumentMetadata): number {
    const id = typeof value === 'number' ? value : isRowIdText(value) ? Number(value) : NaN;
    if (isRowId(id)) return id;
    throw new BadRequestException(`${metadata.data ?? 'id'}: must be an id, an integer from 1 to ${MAX_ROW_ID}`);
  }
}

/** An optional filter by the id of a row (an employee, a CRM entity), in a query or a body. */
export const RowIdFilter = () => OptionalWholeNumber(MAX_ROW_ID);

/** A row given by id or by name (a department): all digits is an id, and must be one. */
export const IsIdOrName = () =>
  ValidateBy({
    name: 'isIdOrName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (!/^\d+$/.test(value) || isRowIdText(value)),
      defaultMessage: () => `$property must be a name or an id from 1 to ${MAX_ROW_ID}`,
    },
  });
