import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  type CreatePlanBody,
  createPlanBody,
  type ListPlansQuery,
  listPlansQuery,
  planResponse,
  priceVersionsResponse,
  updatePlanBody,
  type UpdatePlanBody,
} from '@apim/contracts/management';
import { PlansService } from './plans.service';

@ApiTags('admin: plans')
@Roles('admin', 'finance')
@Controller('admin/plans')
export class PlansController {
  constructor(@Inject(PlansService) private readonly plans: PlansService) {}

  @Get()
  @ApiDoc({ summary: 'List plans', query: listPlansQuery, response: pageSchema(planResponse) })
  list(@Query(new ZodPipe(listPlansQuery, 'query')) q: ListPlansQuery) {
    return this.plans.list(q, q);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({ summary: 'Create a rate plan', body: createPlanBody, response: planResponse, status: 201, errors: [409] })
  create(@Body(new ZodPipe(createPlanBody)) body: CreatePlanBody, @CurrentCaller() caller: Caller) {
    return this.plans.create(caller, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get a plan', ids: ['id'], response: planResponse })
  get(@Param('id', UuidPipe) id: string) {
    return this.plans.get(id);
  }

  @Get(':id/prices')
  @ApiDoc({ summary: "The plan's price versions, oldest first", ids: ['id'], response: priceVersionsResponse })
  prices(@Param('id', UuidPipe) id: string) {
    return this.plans.priceVersions(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiDoc({
    summary: 'Change a plan (apiIds replaces the membership; pricing adds a price version from effectiveFrom)',
    ids: ['id'],
    body: updatePlanBody,
    response: planResponse,
    errors: [409],
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updatePlanBody)) body: UpdatePlanBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.plans.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete a plan (409 while any app uses it)', ids: ['id'], status: 204, errors: [409] })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.plans.remove(caller, id);
  }
}

/** Public: plans and prices are shown before signing up. */
@ApiTags('portal')
@Public()
@Controller('portal/plans')
export class PortalPlansController {
  constructor(@Inject(PlansService) private readonly plans: PlansService) {}

  @Get()
  @ApiDoc({ summary: 'Self-service plans', public: true, query: paginationQuery, response: pageSchema(planResponse) })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest) {
    return this.plans.listSelfService(page);
  }
}
