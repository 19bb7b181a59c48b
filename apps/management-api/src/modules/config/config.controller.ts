import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'yaml';
import { Public, Roles } from '../../common/auth/roles.decorator';
import type { ApiRequest, ApiResponse } from '../../common/http/request';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  applyQuery,
  type ApplyQuery,
  applyResponse,
  configDocument,
  configJsonSchema,
} from '@apim/contracts/management';
import { ConfigService } from './config.service';

const YAML_TYPE = /\b(application|text)\/(x-)?yaml\b/i;

/** The same document as YAML or JSON; YAML text never folds lines, so it is stable byte for byte. */
export function configYaml(doc: unknown): string {
  return stringify(doc, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

@ApiTags('admin: config')
@Roles('admin', 'finance')
@Controller('admin/config')
export class ConfigController {
  constructor(@Inject(ConfigService) private readonly config: ConfigService) {}

  @Get()
  @ApiProduces('application/json', 'application/yaml')
  @ApiDoc({
    summary: 'Export APIs and plans as one configuration document (YAML with Accept: application/yaml)',
    response: configDocument,
  })
  async export(@Req() req: ApiRequest, @Res() res: ApiResponse): Promise<void> {
    const doc = await this.config.export();
    const yaml = YAML_TYPE.test(req.headers.accept ?? '');
    res.statusCode = 200;
    res.setHeader('content-type', yaml ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8');
    res.end(yaml ? configYaml(doc) : `${JSON.stringify(doc, null, 2)}\n`);
  }

  @Post('apply')
  @Roles('admin')
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Apply a configuration document in one transaction (dryRun: report only; prune: delete what it no longer names)',
    query: applyQuery,
    body: configDocument,
    response: applyResponse,
    status: 200,
    errors: [409, 413],
  })
  apply(
    @Query(new ZodPipe(applyQuery, 'query')) q: ApplyQuery,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ) {
    return this.config.apply(caller, body, q);
  }
}

/**
 * Public: editors fetch it to validate YAML files (`# yaml-language-server: $schema=…`). A schema
 * document like /v1/openapi.json itself, so it is not an operation of the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller('config')
export class ConfigSchemaController {
  @Get('schema.json')
  schema() {
    return configJsonSchema();
  }
}
