import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { departmentMembersSql } from '../employees/department-members';

/**
 * What a chat may see. Every configured chat sees everything today; a chat linked to a user would carry that
 * user's employee or department here, and every command narrows its data by it.
 */
export interface BotScope {
  employeeId?: number;
  department?: string;
}

export interface CallCard {
  id: number;
  startedAt: Date;
  durationSec: number;
  managerName: string | null;
  clientPhone: string | null;
  status: string;
  score: number | null;
  riskLevel: string | null;
  summary: string | null;
  conflictReasons: string[];
  failedChecks: string[];
}

export interface ManagerProblem {
  employeeId: number;
  kind: 'check' | 'conflict';
  name: string;
  count: number;
}

/** A JSON array inside an analysis document, or an empty one when the model left it out. */
const array = (document: string, path: string) => `CASE WHEN jsonb_typeof(${document} #> '${path}') = 'array' THEN ${document} #> '${path}' ELSE '[]'::jsonb END`;

/** The bot's own reads: one call's card, and why managers' calls go wrong. */
@Injectable()
export class BotQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async callCard(id: number, scope: BotScope): Promise<CallCard | undefined> {
    const params: unknown[] = [id];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const within = [
      ...(scope.employeeId ? [`c.employee_id = ${bind(scope.employeeId)}`] : []),
      ...(scope.department ? [`c.employee_id IN (${departmentMembersSql(scope.department, bind)})`] : []),
    ];
    const rows: CallCard[] = await this.dataSource.query(
      `SELECT c.id, c.started_at AS "startedAt", c.duration_sec AS "durationSec", coalesce(e.name, c.manager_name) AS "managerName",
              c.client_phone AS "clientPhone", c.status, c.score_overall AS score, c.risk_level AS "riskLevel", c.summary,
              ARRAY(SELECT jsonb_array_elements_text(${array('a.result', '{conflict,reasons}')})) AS "conflictReasons",
              ARRAY(SELECT v ->> 'title' FROM jsonb_array_elements(${array('a.result', '{checklist}')}) v WHERE v -> 'passed' = 'false'::jsonb) AS "failedChecks"
         FROM calls c
         LEFT JOIN employees e ON e.id = c.employee_id
         LEFT JOIN analyses a ON a.id = c.latest_analysis_id
        WHERE c.id = $1 ${within.map((condition) => `AND ${condition}`).join(' ')}`,
      params,
    );
    return rows[0];
  }

  /** For each manager, how often each checklist criterion failed and each conflict reason came up in the period. */
  problemsOf(employeeIds: number[], from: Date, to: Date): Promise<ManagerProblem[]> {
    return this.dataSource.query(
      `WITH scored AS (
         SELECT c.employee_id, a.result FROM calls c JOIN analyses a ON a.id = c.latest_analysis_id
          WHERE c.employee_id = ANY($1) AND c.started_at >= $2 AND c.started_at < $3
       )
       SELECT employee_id AS "employeeId", 'check' AS kind, v ->> 'title' AS name, count(*)::int AS count
         FROM scored, jsonb_array_elements(${array('result', '{checklist}')}) v
        WHERE v -> 'passed' = 'false'::jsonb GROUP BY 1, 3
       UNION ALL
       SELECT employee_id, 'conflict', reason, count(*)::int
         FROM scored, jsonb_array_elements_text(${array('result', '{conflict,reasons}')}) reason GROUP BY 1, 3
       ORDER BY count DESC, name`,
      [employeeIds, from, to],
    );
  }
}
