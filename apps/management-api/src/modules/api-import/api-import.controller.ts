import { Body, Controller, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import type { ApiResponse } from '../../common/http/request';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  importApiBody,
  type ImportApiBody,
  importApiQuery,
  type ImportApiQuery,
  importApiResponse,
} from '@apim/contracts/management';
import { ApiImportService } from './api-import.service';

@ApiTags('admin: apis')
@Roles('admin')
@Controller('admin/apis/import')
export class ApiImportController {
  constructor(@Inject(ApiImportService) private readonly imports: ApiImportService) {}

  @Post()
  @ApiDoc({
    summary: 'Create (201) or update by slug (200) an API from its OpenAPI 3.0/3.1 or Swagger 2.0 document',
    query: importApiQuery,
    body: importApiBody,
    response: importApiResponse,
    status: 201,
    alsoStatus: [200],
    errors: [409, 413],
  })
  async import(
    @Query(new ZodPipe(importApiQuery, 'query')) q: ImportApiQuery,
    @Body(new ZodPipe(importApiBody)) body: ImportApiBody,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: ApiResponse,
  ) {
    const r = await this.imports.import(caller, body, q.dryRun);
    if ('preview' in r) {
      res.statusCode = 200;
      return r.preview;
    }
    res.statusCode = r.created ? 201 : 200;
    return r.api;
  }
}
