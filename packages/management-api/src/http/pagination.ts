import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { badRequest } from './errors.js';

/** The `page` and `perPage` query parameters of every list (Gravitee defaults: page 1, 10 per page). */
export const PaginationQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'The page number (1-based).' })),
  perPage: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'The number of items per page.' }),
  ),
};

/** Gravitee's `Pagination` object. */
export interface Pagination {
  page: number;
  perPage: number;
  pageCount: number;
  pageItemsCount: number;
  totalCount: number;
}

/** Gravitee's `Links` object of a paginated response. */
export interface Links {
  self: string;
  first?: string;
  last?: string;
  previous?: string;
  next?: string;
}

/** A page of a Gravitee list response: `{ data, pagination, links }`. */
export interface PagedResponse<T> {
  data: T[];
  pagination: Pagination;
  links: Links;
}

function requestUrl(request: FastifyRequest): URL {
  return new URL(request.url, `${request.protocol}://${request.host}`);
}

function pageUrl(base: URL, page: number): string {
  const url = new URL(base);
  url.searchParams.set('page', String(page));
  return url.toString();
}

/**
 * Builds a Gravitee list response from one page of items and the total count, with the links to the first, last,
 * previous and next pages (absolute URLs that keep the other query parameters).
 *
 * @throws ManagementError 400 `pagination.invalid` when the page is past the last one (Gravitee behaviour).
 * @example
 * return paged(request, page.data.map(toApiV4), { page: 2, perPage: 10, totalCount: 35 });
 */
export function paged<T>(
  request: FastifyRequest,
  data: T[],
  { page, perPage, totalCount }: { page: number; perPage: number; totalCount: number },
): PagedResponse<T> {
  const pageCount = Math.ceil(totalCount / perPage);
  if (totalCount > 0 && page > pageCount) {
    throw badRequest(`Page [${page}] is past the last page [${pageCount}].`, 'pagination.invalid', {
      page: String(page),
      pageCount: String(pageCount),
    });
  }
  const url = requestUrl(request);
  const links: Links = { self: url.toString() };
  if (pageCount > 0) {
    links.first = pageUrl(url, 1);
    links.last = pageUrl(url, pageCount);
    if (page > 1) links.previous = pageUrl(url, page - 1);
    if (page < pageCount) links.next = pageUrl(url, page + 1);
  }
  return { data, pagination: { page, perPage, pageCount, pageItemsCount: data.length, totalCount }, links };
}

/** One page of an in-memory list (for repositories that return every match). */
export function slice<T>(items: readonly T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}
