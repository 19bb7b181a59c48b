import type { Page, PageRequest } from '@apim/contracts/management';

// The envelope and its limits are the contract's (`@apim/contracts/management`).
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Page,
  type PageRequest,
  pageSchema,
  paginationQuery,
} from '@apim/contracts/management';

export function pageOf<T>(items: T[], total: number, page: PageRequest): Page<T> {
  return { items, total, limit: page.limit, offset: page.offset };
}
