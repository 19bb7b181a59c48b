import { Inject, Injectable } from '@nestjs/common';
import { AppError, type FieldError } from '@apim/errors';
import type { Caller } from '../../common/auth/caller';
import { MAX_PAGE_SIZE } from '../../common/pagination/pagination';
import { parseOrThrow } from '../../common/validation/zod-validation.pipe';
import {
  type ApiResponseDto,
  createApiBody,
  type ImportApiBody,
  type ImportPreview,
  updateApiBody,
} from '@apim/contracts/management';
import { ApisService } from '../apis/apis.service';
import { deriveApi, parseDocumentInput, validateOpenApi } from './openapi-document';

export type ImportResult = { created: boolean; api: ApiResponseDto } | { preview: ImportPreview };

/**
 * Publishes (or refreshes) an API from its OpenAPI document: validated with swagger-parser, name
 * and description from `info`, upstream from the first server unless given. Saving goes through
 * the APIs service, so its rules, audit row and config-change message apply.
 */
@Injectable()
export class ApiImportService {
  constructor(@Inject(ApisService) private readonly apis: ApisService) {}

  private async findBySlug(slug: string): Promise<ApiResponseDto | undefined> {
    for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
      const page = await this.apis.list({ q: slug, limit: MAX_PAGE_SIZE, offset }, { limit: MAX_PAGE_SIZE, offset });
      const hit = page.items.find((a) => a.slug === slug);
      if (hit || page.items.length < MAX_PAGE_SIZE) return hit;
    }
  }

  async import(caller: Caller, body: ImportApiBody, dryRun: boolean): Promise<ImportResult> {
    const parsed = parseDocumentInput(body.document);
    if (!parsed.ok) throw new AppError('validation_failed', 'The OpenAPI document cannot be read', parsed.errors);
    const problems = await validateOpenApi(parsed.document);
    if (problems.length) throw new AppError('validation_failed', 'The OpenAPI document is invalid', problems);

    const derived = deriveApi(parsed.document);
    const slug = body.slug ?? derived.slug;
    const upstreamUrl = body.upstreamUrl ?? derived.upstreamUrl;
    const missing: FieldError[] = [];
    if (!dryRun && !body.routePath) missing.push({ field: 'routePath', message: 'required' });
    if (!dryRun && !upstreamUrl)
      missing.push({ field: 'upstreamUrl', message: 'required: the document names no absolute server URL' });
    if (missing.length) throw new AppError('validation_failed', 'The request body is invalid', missing);

    const existing = await this.findBySlug(slug);
    const fields = {
      name: body.name ?? derived.name,
      slug,
      description: derived.description,
      upstreamUrl,
      routePath: body.routePath ?? `/${slug}`,
      openapi: parsed.document,
    };
    if (dryRun) return { preview: { ...fields, existingId: existing?.id ?? null } };
    if (existing)
      return { created: false, api: await this.apis.update(caller, existing.id, parseOrThrow(updateApiBody, fields)) };
    return { created: true, api: await this.apis.create(caller, parseOrThrow(createApiBody, fields)) };
  }
}
