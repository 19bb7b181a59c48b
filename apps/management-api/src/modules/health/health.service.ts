import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '@apim/config';
import { DataSource } from 'typeorm';
import { REDIS } from '../../common/tokens';

export interface Readiness {
  ready: boolean;
  checks: { postgres: boolean; redis: boolean };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async readiness(): Promise<Readiness> {
    const [pg, redis] = await Promise.allSettled([
      withTimeout(this.ds.query('SELECT 1'), 2000),
      withTimeout(this.redis.ping(), 2000),
    ]);
    const checks = {
      postgres: pg.status === 'fulfilled',
      redis: redis.status === 'fulfilled' && redis.value === 'PONG',
    };
    return { ready: checks.postgres && checks.redis, checks };
  }
}
