import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { BUILDERS, TeamRoles } from '../../common/auth/team-roles';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  createdKeyResponse,
  type CreateKeyBody,
  createKeyBody,
  keyListItem,
  rotateKeyBody,
  type RotateKeyBody,
} from '@apim/contracts/management';
import { KeysService } from './keys.service';

@ApiTags('admin: keys')
@Roles('admin', 'finance')
@Controller('admin')
export class KeysController {
  constructor(@Inject(KeysService) private readonly keys: KeysService) {}

  @Get('apps/:id/keys')
  @ApiDoc({
    summary: "An app's keys (never the secret)",
    ids: ['id'],
    query: paginationQuery,
    response: pageSchema(keyListItem),
  })
  list(
    @Param('id', UuidPipe) appId: string,
    @Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.list(caller, appId, page);
  }

  @Post('apps/:id/keys')
  @Roles('admin')
  @ApiDoc({
    summary: 'Create a key; the secret is in this response only',
    ids: ['id'],
    body: createKeyBody,
    response: createdKeyResponse,
    status: 201,
    errors: [409],
  })
  create(
    @Param('id', UuidPipe) appId: string,
    @Body(new ZodPipe(createKeyBody)) body: CreateKeyBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.create(caller, appId, body);
  }

  @Delete('keys/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Revoke a key', ids: ['id'], status: 204 })
  async revoke(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.keys.revoke(caller, id);
  }

  @Post('keys/:id/rotate')
  @Roles('admin')
  @ApiDoc({
    summary: 'Rotate: new key now, the old one stops working overlapSeconds later',
    ids: ['id'],
    body: rotateKeyBody,
    response: createdKeyResponse,
    status: 201,
    errors: [409],
  })
  rotate(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(rotateKeyBody)) body: RotateKeyBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.rotate(caller, id, body);
  }
}

@ApiTags('portal')
@Roles('developer')
@TeamRoles(...BUILDERS)
@Controller('portal')
export class PortalKeysController {
  constructor(@Inject(KeysService) private readonly keys: KeysService) {}

  @Get('apps/:id/keys')
  @ApiDoc({
    summary: "Your app's keys (never the secret)",
    ids: ['id'],
    query: paginationQuery,
    response: pageSchema(keyListItem),
  })
  list(
    @Param('id', UuidPipe) appId: string,
    @Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.list(caller, appId, page);
  }

  @Post('apps/:id/keys')
  @ApiDoc({
    summary: 'Create a key; the secret is in this response only',
    description:
      '403 consumer_pending / consumer_suspended while your account is not active; ' +
      '409 limit_reached past MAX_KEYS_PER_APP active keys.',
    ids: ['id'],
    body: createKeyBody,
    response: createdKeyResponse,
    status: 201,
    errors: [409],
  })
  create(
    @Param('id', UuidPipe) appId: string,
    @Body(new ZodPipe(createKeyBody)) body: CreateKeyBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.create(caller, appId, body);
  }

  @Delete('keys/:id')
  @HttpCode(204)
  @ApiDoc({ summary: 'Revoke one of your keys', ids: ['id'], status: 204 })
  async revoke(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.keys.revoke(caller, id);
  }

  @Post('keys/:id/rotate')
  @ApiDoc({
    summary: 'Rotate one of your keys',
    ids: ['id'],
    body: rotateKeyBody,
    response: createdKeyResponse,
    status: 201,
    errors: [409],
  })
  rotate(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(rotateKeyBody)) body: RotateKeyBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.keys.rotate(caller, id, body);
  }
}
