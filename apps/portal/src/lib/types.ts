/** Shapes of the management API (docs/api-contract.md), as the portal reads them. */

export type Role = 'admin' | 'finance' | 'developer';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  consumerId?: string | null;
  /** The developer's consumer status (null for staff). */
  consumerStatus?: 'active' | 'suspended' | 'pending' | null;
}

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details as answered by the management API. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
}

export type ConsumerStatus = 'active' | 'suspended' | 'pending';

export interface Consumer {
  id: string;
  name: string;
  email?: string | null;
  organization?: string | null;
  status: ConsumerStatus;
  costCenter?: string | null;
  createdAt?: string;
}

export interface Api {
  id: string;
  name: string;
  slug: string;
  description?: string | null;
  upstreamUrl?: string;
  routePath: string;
  stripRoutePath?: boolean;
  timeoutMs?: number;
  openapi?: Record<string, unknown> | null;
  visibility?: 'public' | 'private';
  cors?: ApiCors | null;
  requireContentLength?: boolean;
  costRules?: Array<{ method?: string; pathPattern: string; cost: number }>;
  createdAt?: string;
  updatedAt?: string;
}

/** Browser (CORS) access through the gateway. */
export interface ApiCors {
  allowedOrigins: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

export type RatePer = 'second' | 'minute' | 'hour' | 'day';
/** `POST /v1/admin/apis/import?dryRun=true`: what an OpenAPI document fills in (validated, nothing saved). */
export interface ApiImportPreview {
  name: string;
  slug: string;
  description: string | null;
  upstreamUrl: string | null;
  routePath: string;
  openapi: Record<string, unknown>;
  existingId: string | null;
}

export interface Plan {
  id: string;
  name: string;
  slug: string;
  description?: string | null;
  apiIds: string[];
  /** The first of rateLimits (the v1 shorthand). */
  rateLimit: { requests: number; per: RatePer };
  /** Every limit (1–3); absent from servers older than v1.1. */
  rateLimits?: { requests: number; per: RatePer }[];
  monthlyQuota: number | null;
  failMode: 'open' | 'closed';
  pricing: { currency: string; monthlyFee: string; includedRequests: number; overagePer1000: string };
  selfService: boolean;
}

/** One price version of a plan (GET /v1/admin/plans/{id}/prices). */
export interface PriceVersion {
  id: string;
  effectiveFrom: string;
  currency: string;
  monthlyFee: string;
  includedRequests: number;
  overagePer1000: string;
  current: boolean;
  createdAt: string;
}

export interface App {
  id: string;
  consumerId: string;
  name: string;
  planId: string;
  /** 1–28: the quota period and statements start on this day, 00:00 UTC (1 = calendar month). */
  billingAnchorDay?: number;
  createdAt?: string;
  updatedAt?: string;
}

export interface ApiKey {
  id: string;
  appId?: string;
  name?: string | null;
  prefix: string;
  status?: 'active' | 'revoked' | 'expired';
  rotatedFromId?: string | null;
  expiresAt?: string | null;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
  createdAt: string;
}

/** Only the create and rotate answers carry the secret. */
export interface CreatedKey extends ApiKey {
  key: string;
}

export interface UsagePoint {
  appId: string | null;
  apiId: string;
  bucket: string;
  requests: number;
  billable: number;
  /** Calls weighted by their route's cost (absent from older APIs: = requests). */
  units?: number;
  billableUnits?: number;
  errors: number;
}

export interface QuotaStatus {
  appId: string;
  used: number;
  limit: number | null;
  periodStart?: string;
  resetsAt: string;
  billingAnchorDay?: number;
}

export interface UsageAnswer {
  series: UsagePoint[];
  quotas?: QuotaStatus[];
}

export interface AuditEntry {
  id: string | number;
  actorUserId?: string | null;
  actorEmail?: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  createdAt: string;
}

export interface ChargebackLine {
  period: string;
  /** The app's billing period: [periodStart, periodEnd), starting on its anchor day. */
  periodStart?: string;
  periodEnd?: string;
  billingAnchorDay?: number;
  consumerId: string;
  consumerName: string;
  costCenter: string | null;
  appId: string;
  appName: string;
  plan: string;
  requests: number;
  units?: number;
  includedRequests: number;
  billableRequests: number;
  monthlyFee: string;
  overageAmount: string;
  total: string;
  currency: string;
}

export type TeamRole = 'owner' | 'admin' | 'developer' | 'billing';

export interface TeamMember {
  userId: string;
  email: string;
  name: string;
  role: TeamRole;
  joinedAt: string;
}

export interface TeamInvitation {
  id: string;
  email: string;
  role: TeamRole;
  expiresAt: string;
  createdAt: string;
}

export interface Team {
  consumer: { id: string; name: string };
  /** The signed-in user's role in this team. */
  role: TeamRole;
  members: TeamMember[];
  invitations: TeamInvitation[];
}

export interface CreatedInvitation extends TeamInvitation {
  acceptUrl: string;
}

export interface PortalNotification {
  id: string;
  type: string;
  createdAt: string;
  readAt: string | null;
  data: Record<string, unknown>;
}

export interface NotificationPage {
  items: PortalNotification[];
  total: number;
  limit: number;
  offset: number;
  unreadCount: number;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  webhookMessageId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
