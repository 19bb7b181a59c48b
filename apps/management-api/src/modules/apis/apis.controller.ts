import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  apiResponse,
  type CreateApiBody,
  createApiBody,
  listApisQuery,
  type ListApisQuery,
  portalApiResponse,
  type UpdateApiBody,
  updateApiBody,
} from '@apim/contracts/management';
import { ApisService } from './apis.service';

@ApiTags('admin: apis')
@Roles('admin', 'finance')
@Controller('admin/apis')
export class ApisController {
  constructor(@Inject(ApisService) private readonly apis: ApisService) {}

  @Get()
  @ApiDoc({ summary: 'List APIs', query: listApisQuery, response: pageSchema(apiResponse) })
  list(@Query(new ZodPipe(listApisQuery, 'query')) q: ListApisQuery) {
    return this.apis.list(q, q);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({
    summary: 'Publish an API behind the gateway',
    body: createApiBody,
    response: apiResponse,
    status: 201,
    errors: [409, 413],
  })
  create(@Body(new ZodPipe(createApiBody)) body: CreateApiBody, @CurrentCaller() caller: Caller) {
    return this.apis.create(caller, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get an API', ids: ['id'], response: apiResponse })
  get(@Param('id', UuidPipe) id: string) {
    return this.apis.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiDoc({ summary: 'Change an API', ids: ['id'], body: updateApiBody, response: apiResponse, errors: [409, 413] })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateApiBody)) body: UpdateApiBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.apis.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete an API (soft delete; usage history keeps pointing at it)', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.apis.remove(caller, id);
  }
}

/** Public: the catalogue is browsable before signing up (no upstream addresses in it). */
@ApiTags('portal')
@Public()
@Controller('portal/apis')
export class PortalApisController {
  constructor(@Inject(ApisService) private readonly apis: ApisService) {}

  @Get()
  @ApiDoc({
    summary: 'Public API catalogue with OpenAPI documents',
    public: true,
    query: paginationQuery,
    response: pageSchema(portalApiResponse),
  })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest) {
    return this.apis.listPublic(page);
  }

  @Get(':id')
  @ApiDoc({ summary: 'One public API', public: true, ids: ['id'], response: portalApiResponse })
  get(@Param('id', UuidPipe) id: string) {
    return this.apis.getPublic(id);
  }
}
