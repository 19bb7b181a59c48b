import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { sumMoney } from '@apim/billing';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator';
import type { ApiRequest, ApiResponse } from '../../common/http/request';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import type { CsvColumn } from './csv';
import { sendCsv, sendJson, wantsCsv } from './report-response';
import {
  type ChargebackLine,
  chargebackQuery,
  type ChargebackQuery,
  chargebackResponse,
  planPreviewBody,
  type PlanPreviewBody,
  planPreviewResponse,
  type ReconciliationQuery,
  reconciliationQuery,
  reconciliationResponse,
  usageReportQuery,
  type UsageReportQuery,
  usageReportResponse,
  type UsageReportRow,
} from '@apim/contracts/management';
import { ReportsService } from './reports.service';

const text = <T>(header: string, value: (r: T) => string | null): CsvColumn<T> => ({ header, kind: 'text', value });
const num = <T>(header: string, value: (r: T) => string | number): CsvColumn<T> => ({ header, kind: 'number', value });

export const CHARGEBACK_COLUMNS: CsvColumn<ChargebackLine>[] = [
  text('period', (r) => r.period),
  text('consumerId', (r) => r.consumerId),
  text('consumerName', (r) => r.consumerName),
  text('costCenter', (r) => r.costCenter),
  text('appId', (r) => r.appId),
  text('appName', (r) => r.appName),
  text('plan', (r) => r.plan),
  num('requests', (r) => r.requests),
  num('units', (r) => r.units),
  num('includedRequests', (r) => r.includedRequests),
  num('billableRequests', (r) => r.billableRequests),
  num('monthlyFee', (r) => r.monthlyFee),
  num('overageAmount', (r) => r.overageAmount),
  num('total', (r) => r.total),
  text('currency', (r) => r.currency),
  text('periodStart', (r) => r.periodStart),
  text('periodEnd', (r) => r.periodEnd),
  num('billingAnchorDay', (r) => r.billingAnchorDay),
];

/** Per currency, never summed across currencies. */
function currencyTotals(lines: ChargebackLine[]): { currency: string; total: string }[] {
  const currencies = [...new Set(lines.map((l) => l.currency))].sort();
  return currencies.map((currency) => ({
    currency,
    total: sumMoney(lines.filter((l) => l.currency === currency).map((l) => l.total)),
  }));
}

interface SubtotalRow {
  period: string;
  consumerId: string;
  consumerName: string;
  costCenter: string | null;
  currency: string;
  total: string;
}

/** One row per consumer and currency, in the lines' consumer order: a consumer billed in two currencies gets two. */
function subtotalRows(period: string, lines: ChargebackLine[]): SubtotalRow[] {
  const byKey = new Map<string, { row: Omit<SubtotalRow, 'total'>; totals: string[] }>();
  for (const l of lines) {
    const key = `${l.consumerId}|${l.currency}`;
    const g = byKey.get(key) ?? {
      row: {
        period,
        consumerId: l.consumerId,
        consumerName: l.consumerName,
        costCenter: l.costCenter,
        currency: l.currency,
      },
      totals: [],
    };
    g.totals.push(l.total);
    byKey.set(key, g);
  }
  const order = [...new Set(lines.map((l) => l.consumerId))];
  return [...byKey.values()]
    .map((g) => ({ ...g.row, total: sumMoney(g.totals) }))
    .sort((a, b) => order.indexOf(a.consumerId) - order.indexOf(b.consumerId) || a.currency.localeCompare(b.currency));
}

const SUBTOTAL_COLUMNS: CsvColumn<SubtotalRow>[] = [
  text('period', (r) => r.period),
  text('consumerId', (r) => r.consumerId),
  text('consumerName', (r) => r.consumerName),
  text('costCenter', (r) => r.costCenter),
  text('currency', (r) => r.currency),
  num('total', (r) => r.total),
];
const TOTAL_COLUMNS: CsvColumn<{ period: string; currency: string; total: string }>[] = [
  text('period', (r) => r.period),
  text('currency', (r) => r.currency),
  num('total', (r) => r.total),
];

async function* iterate<T>(rows: T[]): AsyncGenerator<T> {
  yield* rows;
}

const usageColumns = (groupBy: string): CsvColumn<UsageReportRow>[] => [
  text(groupBy, (r) => r.key),
  text('name', (r) => r.name),
  num('requests', (r) => r.requests),
  num('units', (r) => r.units),
  num('billable', (r) => r.billable),
  num('billableUnits', (r) => r.billableUnits),
  num('errors', (r) => r.errors),
  num('bytesIn', (r) => r.bytesIn),
  num('bytesOut', (r) => r.bytesOut),
  num('avgLatencyMs', (r) => r.avgLatencyMs),
];

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

@ApiTags('reports')
@Roles('admin', 'finance')
@Controller()
export class ReportsController {
  constructor(@Inject(ReportsService) private readonly reports: ReportsService) {}

  @Get('reports/usage')
  @ApiProduces('application/json', 'text/csv')
  @ApiDoc({
    summary: 'Usage grouped by consumer, app, api, plan or UTC day (JSON or streamed CSV)',
    query: usageReportQuery,
    response: usageReportResponse,
  })
  async usage(
    @Query(new ZodPipe(usageReportQuery, 'query')) q: UsageReportQuery,
    @Req() req: ApiRequest,
    @Res() res: ApiResponse,
  ) {
    const r = this.reports.usage(q);
    if (wantsCsv(q.format, req)) {
      return sendCsv(
        res,
        `usage-${r.groupBy}-${r.from.toISOString().slice(0, 10)}-${r.to.toISOString().slice(0, 10)}.csv`,
        usageColumns(r.groupBy),
        r.rows,
      );
    }
    sendJson(res, {
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      groupBy: r.groupBy,
      rows: await collect(r.rows),
    });
  }

  @Get('reports/chargeback')
  @ApiProduces('application/json', 'text/csv')
  @ApiDoc({
    summary:
      'Chargeback: one line per consumer × app × plan for the billing periods starting in a month (JSON or streamed CSV)',
    description:
      "period=YYYY-MM: each app's billing period that starts in that month — the calendar month for anchor day 1, " +
      '[YYYY-MM-d, next month-d) for an app anchored on day d. Lines carry periodStart, periodEnd, billingAnchorDay.',
    query: chargebackQuery,
    response: chargebackResponse,
  })
  async chargeback(
    @Query(new ZodPipe(chargebackQuery, 'query')) q: ChargebackQuery,
    @Req() req: ApiRequest,
    @Res() res: ApiResponse,
  ) {
    const cb = await this.reports.chargeback(q.period);
    if (wantsCsv(q.format, req)) {
      if (q.view === 'subtotals') {
        return sendCsv(
          res,
          `chargeback-${cb.period}-subtotals.csv`,
          SUBTOTAL_COLUMNS,
          iterate(subtotalRows(cb.period, await collect(cb.lines))),
        );
      }
      if (q.view === 'totals') {
        const rows = currencyTotals(await collect(cb.lines)).map((t) => ({ period: cb.period, ...t }));
        return sendCsv(res, `chargeback-${cb.period}-totals.csv`, TOTAL_COLUMNS, iterate(rows));
      }
      return sendCsv(res, `chargeback-${cb.period}.csv`, CHARGEBACK_COLUMNS, cb.lines);
    }
    const lines = await collect(cb.lines);
    const subtotals = subtotalRows(cb.period, lines).map(({ consumerId, currency, total }) => ({
      consumerId,
      currency,
      total,
    }));
    sendJson(res, {
      period: cb.period,
      status: cb.status,
      periods: cb.periods,
      lines,
      subtotals,
      totals: currencyTotals(lines),
    });
  }

  @Get('reports/reconciliation')
  @ApiDoc({
    summary: 'Events received vs aggregated vs billed, per app, for a period; differences must be zero',
    query: reconciliationQuery,
    response: reconciliationResponse,
  })
  reconciliation(@Query(new ZodPipe(reconciliationQuery, 'query')) q: ReconciliationQuery) {
    return this.reports.reconciliation(q.period);
  }

  @Post('admin/plans/:id/preview')
  @HttpCode(200)
  @ApiDoc({
    summary: 'What a proposed rate limit / quota / pricing would have done over the last 30 days',
    ids: ['id'],
    body: planPreviewBody,
    response: planPreviewResponse,
    status: 200,
  })
  preview(@Param('id', UuidPipe) id: string, @Body(new ZodPipe(planPreviewBody)) body: PlanPreviewBody) {
    return this.reports.previewPlan(id, body);
  }
}
