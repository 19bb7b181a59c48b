import { Body, Controller, Get, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  type CreateUserBody,
  createUserBody,
  updateUserBody,
  type UpdateUserBody,
  userResponse,
} from '@apim/contracts/management';
import { UsersService } from './users.service';

@ApiTags('admin: users')
@Roles('admin')
@Controller('admin/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  @ApiDoc({ summary: 'List users', query: paginationQuery, response: pageSchema(userResponse) })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest) {
    return this.users.list(page);
  }

  @Post()
  @ApiDoc({
    summary: 'Create a user (admin, finance or developer)',
    body: createUserBody,
    response: userResponse,
    status: 201,
    errors: [409],
  })
  create(@Body(new ZodPipe(createUserBody)) body: CreateUserBody, @CurrentCaller() caller: Caller) {
    return this.users.create(caller, body);
  }

  @Patch(':id')
  @ApiDoc({
    summary: "Change a user's role (admin ↔ finance) or status",
    description:
      'Disabling a user ends all its sessions at once; it then cannot log in (401 like a wrong password). ' +
      'You cannot change your own role or status (409).',
    ids: ['id'],
    body: updateUserBody,
    response: userResponse,
    errors: [409],
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateUserBody)) body: UpdateUserBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.users.update(caller, id, body);
  }
}
