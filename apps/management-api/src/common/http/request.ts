import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthUser } from '../auth/auth-user';

/** The parts of Express's request we rely on (the workspace has no @types/express). */
export interface ApiRequest extends IncomingMessage {
  requestId: string;
  user?: AuthUser;
  body?: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  ip?: string;
  path: string;
  baseUrl?: string;
  route?: { path: string };
  originalUrl?: string;
}

export type ApiResponse = ServerResponse;

export type Next = (err?: unknown) => void;
