import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { ANY_MEMBER, TeamRoles } from '../../common/auth/team-roles';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  type PortalUsageQuery,
  portalUsageQuery,
  portalUsageResponse,
  usageQuery,
  type UsageQuery,
  usageResponse,
} from '@apim/contracts/management';
import { UsageService } from './usage.service';

@ApiTags('usage')
@Controller()
export class UsageController {
  constructor(@Inject(UsageService) private readonly usage: UsageService) {}

  @Get('usage')
  @Roles('admin', 'finance')
  @ApiDoc({
    summary: 'Usage series from the hourly rollups (all consumers)',
    description:
      'At most USAGE_MAX_ROWS points (400 past it: narrow the range or filter); ' +
      'a query running past REPORT_STATEMENT_TIMEOUT_MS is cancelled (503).',
    query: usageQuery,
    response: usageResponse,
    errors: [503],
  })
  all(@Query(new ZodPipe(usageQuery, 'query')) q: UsageQuery, @CurrentCaller() caller: Caller) {
    return this.usage.series(caller, q);
  }

  @Get('portal/usage')
  @Roles('developer')
  @TeamRoles(...ANY_MEMBER)
  @ApiDoc({
    summary: "Usage series and quotas of the caller's own apps",
    query: portalUsageQuery,
    response: portalUsageResponse,
  })
  mine(@Query(new ZodPipe(portalUsageQuery, 'query')) q: PortalUsageQuery, @CurrentCaller() caller: Caller) {
    return this.usage.portal(caller, q);
  }
}
