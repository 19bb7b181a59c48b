/**
 * Cost-weighted routes (contract "Billing depth"): an API's `costRules`, checked in order, the
 * first match giving the call's cost in units (default 1). One grammar for the admin API (which
 * validates) and the gateway (which compiles each rule once per snapshot and matches on the hot
 * path without regular expressions).
 *
 * `pathPattern` is matched against the decoded path segments after the API's routePath:
 * `/` + segments joined by `/`, each segment a literal, `*` (exactly one segment) or `**` (any
 * number of segments, none included). Literals are case-sensitive and limited to
 * `A–Z a–z 0–9 - . _ ~ : @` (no regex metacharacters, no percent-encoding, no `.`/`..` segment,
 * no empty segment); `*` and `**` are whole segments only (`a*` is refused). A trailing `/` of the
 * request path is ignored. `method` (optional) is one of METHODS; absent = any method.
 */
export const COST_RULE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type CostRuleMethod = (typeof COST_RULE_METHODS)[number];

export interface CostRule {
  method?: CostRuleMethod;
  pathPattern: string;
  cost: number;
}

/** Highest cost of one call, in units. */
export const MAX_COST = 1000;
/** Most rules on one API. */
export const MAX_COST_RULES = 50;
/** Longest pathPattern, in characters, and most segments in it. */
export const MAX_PATTERN_LENGTH = 200;
export const MAX_PATTERN_SEGMENTS = 32;

const LITERAL = /^[A-Za-z0-9\-._~:@]+$/;

/** Why a pathPattern is refused, or null when it is valid. */
export function pathPatternProblem(p: string): string | null {
  if (p.length === 0) return 'must not be empty';
  if (p.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (!p.startsWith('/')) return "must start with '/'";
  if (p === '/') return null;
  const segs = (p.endsWith('/') ? p.slice(1, -1) : p.slice(1)).split('/');
  if (segs.length > MAX_PATTERN_SEGMENTS) return `must have at most ${MAX_PATTERN_SEGMENTS} segments`;
  for (const s of segs) {
    if (s === '') return "must not contain empty segments ('//')";
    if (s === '*' || s === '**') continue;
    if (s === '.' || s === '..') return "must not contain '.' or '..' segments";
    if (s.includes('*')) return "'*' and '**' must be whole segments";
    if (!LITERAL.test(s))
      return `segment "${s.slice(0, 40)}" may only hold letters, digits and - . _ ~ : @ (or be * or **)`;
  }
  return null;
}

/** A segment of a compiled pattern: a literal, ONE (`*`) or ANY (`**`). */
const ONE = 1;
const ANY = 2;
type Token = string | typeof ONE | typeof ANY;

export interface CompiledCostRule {
  method: string | null;
  tokens: readonly Token[];
  cost: number;
}

/** Compiles a (validated) pattern; `**` runs collapse into one. */
export function compilePattern(p: string): Token[] {
  const out: Token[] = [];
  for (const s of p.split('/')) {
    if (s === '') continue;
    const t: Token = s === '**' ? ANY : s === '*' ? ONE : s;
    if (t === ANY && out[out.length - 1] === ANY) continue;
    out.push(t);
  }
  return out;
}

/**
 * Glob over segments, `segs[from..]` against `tokens`: linear scan with backtracking to the last
 * `**` only (O(segments × tokens) at worst, no allocation, no recursion).
 */
export function matchSegments(tokens: readonly Token[], segs: readonly string[], from = 0): boolean {
  let t = 0;
  let s = from;
  let star = -1;
  let starS = 0;
  const n = segs.length;
  while (s < n) {
    const tok = tokens[t];
    if (t < tokens.length && tok !== ANY && (tok === ONE || tok === segs[s])) {
      t++;
      s++;
    } else if (t < tokens.length && tok === ANY) {
      star = t++;
      starS = s;
    } else if (star !== -1) {
      t = star + 1;
      s = ++starS;
    } else return false;
  }
  while (t < tokens.length && tokens[t] === ANY) t++;
  return t === tokens.length;
}

/** Rules as the gateway holds them: compiled once when the snapshot is built. */
export function compileCostRules(rules: readonly CostRule[] | null | undefined): CompiledCostRule[] {
  if (!rules) return [];
  return rules.map((r) => ({ method: r.method ?? null, tokens: compilePattern(r.pathPattern), cost: r.cost }));
}

/**
 * The cost of a call: the first rule whose method (if any) and pattern match, else 1.
 * `segments` are the request's decoded path segments; `skip` how many of them the routePath took.
 */
export function costOf(
  rules: readonly CompiledCostRule[],
  method: string,
  segments: readonly string[],
  skip: number,
): number {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.method !== null && r.method !== method) continue;
    if (matchSegments(r.tokens, segments, skip)) return r.cost;
  }
  return 1;
}
