import { InvalidInputError } from './errors.ts';
import { isUuid } from './uuid.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `first` as a page size: absent means the default, above the maximum is capped, below 1 is an error. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (first < 1) throw new InvalidInputError('first', 'first must be at least 1');
  return Math.min(first, MAX_PAGE_SIZE);
}

/** Cursors are opaque to clients: the id of the last row seen, encoded. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw new InvalidInputError('after', 'after is not a cursor from this API');
  return id;
}

/** Builds a page from up to `size + 1` rows fetched in cursor order: the extra row only says more exist. */
export function toPage<T extends { id: string }>(rows: readonly T[], size: number): Page<T> {
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
