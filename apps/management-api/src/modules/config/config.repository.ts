import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface AppUsingPlan {
  planId: string;
  appId: string;
  appName: string;
  consumerName: string;
}

/** The reads config apply needs beyond what the APIs and plans services offer. */
@Injectable()
export class ConfigRepository {
  /** Live apps on any of these plans (why a prune cannot delete them). */
  async appsUsingPlans(em: EntityManager, planIds: string[]): Promise<AppUsingPlan[]> {
    if (!planIds.length) return [];
    return em.query(
      `SELECT a.plan_id AS "planId", a.id AS "appId", a.name AS "appName", c.name AS "consumerName"
         FROM apps a JOIN consumers c ON c.id = a.consumer_id
        WHERE a.plan_id = ANY($1::uuid[]) AND a.deleted_at IS NULL
        ORDER BY a.name, a.id`,
      [planIds],
    );
  }
}
