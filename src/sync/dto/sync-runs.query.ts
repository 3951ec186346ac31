import { PageNumber, PageSize } from '../../common/dto/paging';

export class ListSyncRunsQuery {
  /** Page number, from 1. */
  @PageNumber()
  page: number = 1;

  /** Runs per page, 1–100. */
  @PageSize(100)
  pageSize: number = 20;
}
