import { PageNumber, PageSize } from '../../common/dto/paging';

export class SettingsHistoryQuery {
  /** Page number, from 1. @example 1 */
  @PageNumber()
  page: number = 1;

  /** Versions per page, 1–100. @example 20 */
  @PageSize(100)
  pageSize: number = 20;
}

export class SettingsVersionDto {
  /** @example 3 */
  version: number;
  /** @example "2026-11-20T09:15:00.000Z" */
  createdAt: string;
  /** Credential that made the change: `environment`, `api-token` or `open-api`. @example "api-token" */
  actor: string;
  /** Dotted paths of the settings this version changed. @example ["analysis.riskThresholds.highBelowScore"] */
  changedKeys: string[];
  /** Every setting as stored in this version. */
  values: Record<string, unknown>;
}

export class SettingsHistoryDto {
  /** Newest first. */
  items: SettingsVersionDto[];
  /** @example 1 */
  page: number;
  /** @example 20 */
  pageSize: number;
  /** @example 3 */
  total: number;
}
