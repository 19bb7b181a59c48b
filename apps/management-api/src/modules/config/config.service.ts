import { Inject, Injectable } from '@nestjs/common';
import { AppError, type FieldError } from '@apim/errors';
import { AuditService } from '../../common/audit/audit.service';
import { mapDatabaseError } from '../../common/db/pg-errors';
import { UnitOfWork } from '../../common/db/unit-of-work';
import type { Caller } from '../../common/auth/caller';
import { MAX_PAGE_SIZE, type Page } from '../../common/pagination/pagination';
import { flattenIssues, parseOrThrow } from '../../common/validation/zod-validation.pipe';
import {
  type ApplyQuery,
  type ApplyResponse,
  CONFIG_API_VERSION,
  configApi,
  type ConfigChange,
  configDocument,
  configPlan,
  createApiBody,
  createPlanBody,
  updateApiBody,
  updatePlanBody,
} from '@apim/contracts/management';
import { ApisService } from '../apis/apis.service';
import { PlansService } from '../plans/plans.service';
import { canonical, changedTopLevel, diffEntries, formatPath } from './config.diff';
import { ConfigRepository } from './config.repository';

type Entry = Record<string, unknown>;

interface Current {
  apis: Map<string, { id: string; entry: Entry }>;
  plans: Map<string, { id: string; entry: Entry }>;
}

/** A step of the plan, with where it came from in the file (for error paths). */
interface Step {
  change: ConfigChange;
  index: number;
  desired?: Entry;
  patch?: Entry;
}

/**
 * YAML reads `monthlyFee: 49.00` as the number 49: say what to write instead of zod's
 * "expected string, received number".
 */
function inFileTerms(message: string): string {
  return /expected string, received number/.test(message)
    ? 'must be a string: quote it, e.g. "49.00" for money'
    : message;
}

/** Thrown inside the transaction to roll a dry run back after everything was checked. */
class DryRunRollback extends Error {}

async function allPages<T>(fetch: (page: { limit: number; offset: number }) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
    const page = await fetch({ limit: MAX_PAGE_SIZE, offset });
    out.push(...page.items);
    if (page.items.length < MAX_PAGE_SIZE) return out;
  }
}

const bySlug = (a: Entry, b: Entry) => String(a.slug).localeCompare(String(b.slug), 'en');
const normalRoute = (v: unknown) => (typeof v === 'string' && v.length > 1 ? v.replace(/\/+$/, '') : v);

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

/** An error of one entry, re-labelled with the entry's path in the file. */
function atPath(err: unknown, prefix: string): unknown {
  const mapped = mapDatabaseError(err);
  if (!(mapped instanceof AppError)) return mapped;
  const errors = (mapped.errors?.length ? mapped.errors : [{ field: '', message: mapped.detail }]).map((e) => ({
    field: e.field && e.field !== 'id' ? `${prefix}.${e.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]')}` : prefix,
    message: e.message,
  }));
  return new AppError(mapped.code, `${prefix}: ${mapped.detail}`, errors);
}

/**
 * Configuration as code: export the APIs and plans as one document, and apply a document
 * (create, update and, with prune, delete) in one transaction through the APIs and plans
 * services, so every rule, audit row and field of theirs applies here too.
 */
@Injectable()
export class ConfigService {
  constructor(
    @Inject(ApisService) private readonly apis: ApisService,
    @Inject(PlansService) private readonly plans: PlansService,
    @Inject(ConfigRepository) private readonly repo: ConfigRepository,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  private async current(): Promise<Current> {
    const apis = await allPages((p) => this.apis.list(p, p));
    const plans = await allPages((p) => this.plans.list(p, p));
    const slugOf = new Map(apis.map((a) => [a.id, a.slug]));
    return {
      apis: new Map(apis.map((a) => [a.slug, { id: a.id, entry: canonical(configApi, a) }])),
      plans: new Map(
        plans.map((p) => {
          const apiSlugs = p.apiIds
            .map((id) => slugOf.get(id))
            .filter((s) => s !== undefined)
            .sort();
          return [p.slug, { id: p.id, entry: canonical(configPlan, { ...p, apis: apiSlugs }) }];
        }),
      ),
    };
  }

  /** The whole configuration, items sorted by slug and keys in schema order: the same state exports the same bytes. */
  async export(): Promise<Entry> {
    const c = await this.current();
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: 'Config',
      apis: [...c.apis.values()].map((a) => a.entry).sort(bySlug),
      plans: [...c.plans.values()].map((p) => p.entry).sort(bySlug),
    };
  }

  async apply(caller: Caller, raw: unknown, opts: ApplyQuery): Promise<ApplyResponse> {
    const current = await this.current();
    const steps = this.plan(raw, current, opts.prune);
    const changes = steps.map((s) => s.change);
    if (!steps.length) return { dryRun: opts.dryRun, changes };
    try {
      await this.uow.run(
        async (tx) => {
          await this.execute(caller, steps, current);
          await this.audit.record(tx.em, caller, {
            action: 'config.apply',
            entityType: 'config',
            entityId: null,
            after: { prune: opts.prune, changes: changes.map(({ op, kind, slug }) => ({ op, kind, slug })) },
          });
          if (opts.dryRun) throw new DryRunRollback();
        },
        { coalesce: { kind: 'all', id: null } },
      );
    } catch (err) {
      if (!(err instanceof DryRunRollback)) throw err;
    }
    return { dryRun: opts.dryRun, changes };
  }

  /** Validates the whole document (every problem at once) and works out the steps, in order. */
  private plan(raw: unknown, current: Current, prune: boolean): Step[] {
    const parsed = configDocument.safeParse(raw);
    const errors: FieldError[] = parsed.success
      ? []
      : flattenIssues(parsed.error.issues).map((i) => ({ field: formatPath(i.path), message: inFileTerms(i.message) }));
    errors.push(...this.crossReferenceProblems(raw, current, prune));
    if (errors.length || !parsed.success) {
      throw new AppError(
        'validation_failed',
        `The configuration has ${errors.length} problem(s); nothing was changed`,
        errors,
      );
    }
    const doc = parsed.data;
    const steps: Step[] = [];
    const upserts = (
      kind: 'api' | 'plan',
      items: Entry[],
      have: Current['apis'],
      schema: typeof configApi | typeof configPlan,
    ) =>
      items
        .map((item, index) => ({ item, index }))
        .sort((a, b) => bySlug(a.item, b.item))
        .forEach(({ item, index }) => {
          const slug = String(item.slug);
          const desired = canonical(schema, item);
          const existing = have.get(slug);
          if (!existing) {
            steps.push({ change: { op: 'create', kind, slug }, index, desired });
            return;
          }
          const fields = diffEntries(existing.entry, desired);
          if (fields.length)
            steps.push({
              change: { op: 'update', kind, slug, fields },
              index,
              desired,
              patch: changedTopLevel(existing.entry, desired),
            });
        });
    upserts(
      'api',
      doc.apis.map((a) => ({ ...a })),
      current.apis,
      configApi,
    );
    upserts(
      'plan',
      doc.plans.map((p) => ({ ...p, apis: [...new Set(p.apis)].sort() })),
      current.plans,
      configPlan,
    );
    if (prune) {
      const named = (items: Entry[]) => new Set(items.map((i) => String(i.slug)));
      const planSlugs = named(doc.plans);
      const apiSlugs = named(doc.apis);
      for (const slug of [...current.plans.keys()].sort())
        if (!planSlugs.has(slug)) steps.push({ change: { op: 'delete', kind: 'plan', slug }, index: -1 });
      for (const slug of [...current.apis.keys()].sort())
        if (!apiSlugs.has(slug)) steps.push({ change: { op: 'delete', kind: 'api', slug }, index: -1 });
    }
    return steps;
  }

  /** Duplicates and references, read from the raw document so they are reported beside schema errors. */
  private crossReferenceProblems(raw: unknown, current: Current, prune: boolean): FieldError[] {
    const errors: FieldError[] = [];
    const apis = asArray(field(raw, 'apis'));
    const plans = asArray(field(raw, 'plans'));
    const duplicates = (items: unknown[], key: string, kind: string, norm: (v: unknown) => unknown = (v) => v) => {
      const seen = new Map<unknown, number>();
      items.forEach((item, i) => {
        const v = norm(field(item, key));
        if (typeof v !== 'string') return;
        const first = seen.get(v);
        if (first === undefined) seen.set(v, i);
        else
          errors.push({ field: `${kind}[${i}].${key}`, message: `duplicate ${key} "${v}" (also ${kind}[${first}])` });
      });
    };
    duplicates(apis, 'slug', 'apis');
    duplicates(apis, 'routePath', 'apis', normalRoute);
    duplicates(plans, 'slug', 'plans');

    const fileApiSlugs = new Set(apis.map((a) => field(a, 'slug')).filter((s) => typeof s === 'string'));
    // Without prune, APIs the file does not name stay, and stay referable and routed.
    const kept = prune ? [] : [...current.apis.entries()].filter(([slug]) => !fileApiSlugs.has(slug));
    const referable = new Set<unknown>([...fileApiSlugs, ...kept.map(([slug]) => slug)]);
    plans.forEach((p, i) => {
      asArray(field(p, 'apis')).forEach((s, k) => {
        if (typeof s === 'string' && !referable.has(s)) {
          errors.push({
            field: `plans[${i}].apis[${k}]`,
            message: `no API with slug "${s}" in this file${prune ? '' : ' or already defined'}`,
          });
        }
      });
    });
    const keptRoutes = new Map(kept.map(([slug, a]) => [a.entry.routePath, slug]));
    apis.forEach((a, i) => {
      const owner = keptRoutes.get(normalRoute(field(a, 'routePath')));
      if (owner)
        errors.push({
          field: `apis[${i}].routePath`,
          message: `already used by API "${owner}", which this file does not name`,
        });
    });
    return errors;
  }

  private async execute(caller: Caller, steps: Step[], current: Current): Promise<void> {
    const apiIds = new Map([...current.apis].map(([slug, a]) => [slug, a.id]));
    const pathOf = (s: Step) => (s.index >= 0 ? `${s.change.kind}s[${s.index}]` : `${s.change.kind} ${s.change.slug}`);
    const planBody = (e: Entry) => {
      const { apis, ...rest } = e;
      return apis === undefined ? rest : { ...rest, apiIds: asArray(apis).map((slug) => apiIds.get(String(slug))!) };
    };
    const toDelete = steps.filter((s) => s.change.op === 'delete' && s.change.kind === 'plan');
    await this.refuseDeletingPlansInUse(
      toDelete.map((s) => s.change.slug),
      current,
    );
    for (const s of steps) {
      try {
        const { op, kind, slug } = s.change;
        // Each body goes through the module's own request schema too (its refinements included).
        if (kind === 'api' && op === 'create')
          apiIds.set(slug, (await this.apis.create(caller, parseOrThrow(createApiBody, s.desired))).id);
        else if (kind === 'api' && op === 'update')
          await this.apis.update(caller, current.apis.get(slug)!.id, parseOrThrow(updateApiBody, s.patch));
        else if (kind === 'plan' && op === 'create')
          await this.plans.create(caller, parseOrThrow(createPlanBody, planBody(s.desired!)));
        else if (kind === 'plan' && op === 'update')
          await this.plans.update(
            caller,
            current.plans.get(slug)!.id,
            parseOrThrow(updatePlanBody, planBody(s.patch!)),
          );
        else if (kind === 'plan') await this.plans.remove(caller, current.plans.get(slug)!.id);
        else await this.apis.remove(caller, current.apis.get(slug)!.id);
      } catch (err) {
        throw atPath(err, pathOf(s));
      }
    }
  }

  private async refuseDeletingPlansInUse(slugs: string[], current: Current): Promise<void> {
    if (!slugs.length) return;
    const ids = new Map(slugs.map((slug) => [current.plans.get(slug)!.id, slug]));
    const apps = await this.uow.run((tx) => this.repo.appsUsingPlans(tx.em, [...ids.keys()]));
    if (!apps.length) return;
    const errors = apps.map((a) => ({
      field: `plan ${ids.get(a.planId)}`,
      message: `used by app "${a.appName}" (${a.appId}) of ${a.consumerName}`,
    }));
    const planNames = [...new Set(apps.map((a) => ids.get(a.planId)))].join(', ');
    throw new AppError(
      'conflict',
      `Cannot prune plan(s) still in use: ${planNames}; move their apps to another plan first`,
      errors,
    );
  }
}
