import { OptionalWholeNumber } from './whole-number';

/** Far beyond any list here, and small enough that page × pageSize stays an exact integer for PostgreSQL's OFFSET. */
export const MAX_PAGE = 1_000_000;

export const PageNumber = () => OptionalWholeNumber(MAX_PAGE, 1);

export const PageSize = (max: number) => OptionalWholeNumber(max, 20);
