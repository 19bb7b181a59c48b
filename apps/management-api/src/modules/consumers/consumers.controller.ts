import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  consumerResponse,
  type CreateConsumerBody,
  createConsumerBody,
  listConsumersQuery,
  type ListConsumersQuery,
  updateConsumerBody,
  type UpdateConsumerBody,
} from '@apim/contracts/management';
import { ConsumersService } from './consumers.service';

@ApiTags('admin: consumers')
@Roles('admin', 'finance')
@Controller('admin/consumers')
export class ConsumersController {
  constructor(@Inject(ConsumersService) private readonly consumers: ConsumersService) {}

  @Get()
  @ApiDoc({ summary: 'List consumers', query: listConsumersQuery, response: pageSchema(consumerResponse) })
  list(@Query(new ZodPipe(listConsumersQuery, 'query')) q: ListConsumersQuery, @CurrentCaller() caller: Caller) {
    return this.consumers.list(caller, q, q);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({ summary: 'Create a consumer', body: createConsumerBody, response: consumerResponse, status: 201 })
  create(@Body(new ZodPipe(createConsumerBody)) body: CreateConsumerBody, @CurrentCaller() caller: Caller) {
    return this.consumers.create(caller, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get a consumer', ids: ['id'], response: consumerResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.consumers.get(caller, id);
  }

  @Patch(':id')
  @Roles('admin')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Change status (active/suspended/pending), cost center or name',
    ids: ['id'],
    body: updateConsumerBody,
    response: consumerResponse,
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateConsumerBody)) body: UpdateConsumerBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.consumers.update(caller, id, body);
  }
}
