import { Inject, Injectable } from '@nestjs/common';
import type { CostRuleMethod } from '@apim/contracts';
import type { ApiEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import type { Caller } from '../../common/auth/caller';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import type {
  ApiResponseDto,
  CreateApiBody,
  ListApisQuery,
  PortalApiResponse,
  UpdateApiBody,
} from '@apim/contracts/management';
import { ApisRepository } from './apis.repository';

export function toApiResponse(a: ApiEntity): ApiResponseDto {
  return {
    id: a.id,
    name: a.name,
    slug: a.slug,
    description: a.description,
    upstreamUrl: a.upstreamUrl,
    routePath: a.routePath,
    stripRoutePath: a.stripRoutePath,
    timeoutMs: a.timeoutMs,
    openapi: a.openapi,
    visibility: a.visibility,
    cors: a.cors ?? null,
    requireContentLength: a.requireContentLength ?? false,
    costRules: (a.costRules ?? []).map((r) => ({
      ...(r.method ? { method: r.method as CostRuleMethod } : {}),
      pathPattern: r.pathPattern,
      cost: r.cost,
    })),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

export function toPortalApiResponse(a: ApiEntity): PortalApiResponse {
  return {
    id: a.id,
    name: a.name,
    slug: a.slug,
    description: a.description,
    routePath: a.routePath,
    openapi: a.openapi,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

/** Audit rows keep the API without its (possibly 5 MB) OpenAPI document. */
function auditView(a: ApiEntity) {
  const { openapi, ...rest } = toApiResponse(a);
  return { ...rest, hasOpenapi: openapi !== null };
}

@Injectable()
export class ApisService {
  constructor(
    @Inject(ApisRepository) private readonly apis: ApisRepository,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async list(query: ListApisQuery, page: PageRequest): Promise<Page<ApiResponseDto>> {
    const [rows, total] = await this.apis.list({ q: query.q, visibility: query.visibility }, page);
    return pageOf(rows.map(toApiResponse), total, page);
  }

  async listPublic(page: PageRequest): Promise<Page<PortalApiResponse>> {
    const [rows, total] = await this.apis.list({ visibility: 'public' }, page);
    return pageOf(rows.map(toPortalApiResponse), total, page);
  }

  async get(id: string): Promise<ApiResponseDto> {
    const a = await this.apis.findById(id);
    if (!a) throw new AppError('not_found', 'API not found');
    return toApiResponse(a);
  }

  existingIds(ids: string[], em?: EntityManager): Promise<Set<string>> {
    return this.apis.existingIds(ids, em);
  }

  async getPublic(id: string): Promise<PortalApiResponse> {
    const a = await this.apis.findById(id);
    if (!a || a.visibility !== 'public') throw new AppError('not_found', 'API not found');
    return toPortalApiResponse(a);
  }

  async create(caller: Caller, body: CreateApiBody): Promise<ApiResponseDto> {
    return this.uow.run(async (tx) => {
      const a = await this.apis.insert(tx.em, {
        name: body.name,
        slug: body.slug,
        upstreamUrl: body.upstreamUrl,
        routePath: body.routePath,
        stripRoutePath: body.stripRoutePath,
        timeoutMs: body.timeoutMs,
        description: body.description ?? null,
        openapi: body.openapi ?? null,
        visibility: body.visibility,
        cors: body.cors,
        requireContentLength: body.requireContentLength,
        costRules: body.costRules,
      });
      await this.audit.record(tx.em, caller, {
        action: 'api.create',
        entityType: 'api',
        entityId: a.id,
        after: auditView(a),
      });
      tx.changed({ kind: 'api', id: a.id });
      return toApiResponse(a);
    });
  }

  async update(caller: Caller, id: string, body: UpdateApiBody): Promise<ApiResponseDto> {
    return this.uow.run(async (tx) => {
      const before = await this.apis.findById(id, tx.em);
      if (!before) throw new AppError('not_found', 'API not found');
      const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<ApiEntity>;
      const after = await this.apis.update(tx.em, id, { ...changes, updatedAt: new Date() });
      await this.audit.record(tx.em, caller, {
        action: 'api.update',
        entityType: 'api',
        entityId: id,
        before: auditView(before),
        after: auditView(after),
      });
      tx.changed({ kind: 'api', id });
      return toApiResponse(after);
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const before = await this.apis.findById(id, tx.em);
      if (!before) throw new AppError('not_found', 'API not found');
      await this.apis.softDelete(tx.em, id);
      await this.audit.record(tx.em, caller, {
        action: 'api.delete',
        entityType: 'api',
        entityId: id,
        before: auditView(before),
      });
      tx.changed({ kind: 'api', id });
    });
  }
}
