/** What the CLI prints: colour only on a terminal without NO_COLOR; every error one line. */
export class CliError extends Error {
  constructor(
    message: string,
    /** One line each, `path: message`. */
    readonly lines: string[] = [],
    readonly problem?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function style(enabled: boolean): Style {
  return enabled
    ? { green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), bold: wrap(1, 22), dim: wrap(2, 22) }
    : { green: plain, yellow: plain, red: plain, bold: plain, dim: plain };
}

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface Change {
  op: 'create' | 'update' | 'delete';
  kind: string;
  slug: string;
  fields?: FieldChange[];
}

function value(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Like `terraform plan`: `+ api orders`, `~ plan pro: rateLimits[0].requests 100 → 200`, `- plan old`. */
export function formatPlan(changes: Change[], s: Style): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const head = `${c.kind} ${c.slug}`;
    if (c.op === 'create') lines.push(s.green(`+ ${head}`));
    else if (c.op === 'delete') lines.push(s.red(`- ${head}`));
    else if (!c.fields?.length) lines.push(s.yellow(`~ ${head}`));
    else {
      for (const f of c.fields) {
        const detail =
          f.before === undefined && f.after === undefined ? '(changed)' : `${value(f.before)} → ${value(f.after)}`;
        lines.push(`${s.yellow(`~ ${head}:`)} ${f.path} ${detail}`);
      }
    }
  }
  return lines;
}

/** `2 to create, 1 to update, 0 to delete` (planned) or `2 created, 1 updated, 0 deleted` (done). */
export function summary(changes: Change[], tense: 'planned' | 'done' = 'planned'): string {
  const n = (op: Change['op']) => changes.filter((c) => c.op === op).length;
  const ops: Array<Change['op']> = ['create', 'update', 'delete'];
  return ops.map((op) => (tense === 'planned' ? `${n(op)} to ${op}` : `${n(op)} ${op}d`)).join(', ');
}

/** `error: plans[2].pricing.monthlyFee: must be a decimal string` — one line per problem. */
export function formatError(err: CliError, s: Style): string[] {
  if (!err.lines.length) return [`${s.red('error:')} ${err.message}`];
  return err.lines.map((l) => `${s.red('error:')} ${l}`);
}
