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

/** Cursors are opaque to clients: the key of the last row seen, encoded. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

/** The key inside a cursor; `isKey` rejects anything this API could not have issued. */
export function decodeCursor(cursor: string, isKey: (key: string) => boolean = isUuid): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isKey(key)) throw new InvalidInputError('after', 'after is not a cursor from this API');
  return key;
}

/** Builds a page from up to `size + 1` rows fetched in cursor order: the extra row only says more exist. */
export function toPage<T extends { id: string | number }>(rows: readonly T[], size: number): Page<T> {
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
