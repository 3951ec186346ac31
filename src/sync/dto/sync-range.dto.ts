import { IsISO8601 } from 'class-validator';

export class SyncRangeDto {
  /**
   * First moment to sync: an ISO 8601 date (a day in the settings time zone) or date-time.
   * @example "2025-01-01"
   */
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date, e.g. 2025-01-01 or 2025-01-01T09:00:00+03:00' })
  from: string;

  /**
   * Last moment to sync, inclusive: a date (the whole day) or date-time; not in the future.
   * @example "2025-01-31"
   */
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date, e.g. 2025-01-31 or 2025-01-31T18:00:00+03:00' })
  to: string;
}
