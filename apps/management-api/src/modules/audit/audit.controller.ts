import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { pageSchema } from '../../common/pagination/pagination';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import { auditEntryResponse, listAuditQuery, type ListAuditQuery } from '@apim/contracts/management';
import { AuditLogService } from './audit-log.service';

@ApiTags('admin: audit')
@Roles('admin', 'finance')
@Controller('admin/audit-log')
export class AuditController {
  constructor(@Inject(AuditLogService) private readonly audit: AuditLogService) {}

  @Get()
  @ApiDoc({
    summary: 'Who changed what, when (newest first)',
    query: listAuditQuery,
    response: pageSchema(auditEntryResponse),
  })
  list(@Query(new ZodPipe(listAuditQuery, 'query')) q: ListAuditQuery) {
    return this.audit.list(q);
  }
}
