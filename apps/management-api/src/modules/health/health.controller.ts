import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import { Public } from '../../common/auth/roles.decorator';
import type { ApiResponse } from '../../common/http/request';
import { METRICS } from '../../common/tokens';
import { HealthService } from './health.service';

/** Outside /v1 (see app.ts) and outside the OpenAPI document: for orchestrators and Prometheus. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(METRICS) private readonly metrics: Registry,
  ) {}

  @Get('healthz')
  alive() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() res: ApiResponse): Promise<void> {
    const r = await this.health.readiness();
    res.statusCode = r.ready ? 200 : 503;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks }));
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
