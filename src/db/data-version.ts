/**
 * A number that changes whenever the data in a database may have changed. Whoever reads it before
 * a query and finds it unchanged afterwards knows the answer still holds. Only the embedded
 * database has one: every change to it passes through this process (see embedded.ts), whereas a
 * PostgreSQL server is written to by other processes too.
 */
export interface DataVersion {
  current(): number;
}

const QUERY = 0x51; // 'Q', a simple-query message
const SEMICOLON = 0x3b;
const HEADER_BYTES = 5; // message type and length
const SELECT = 'select';

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Whether a PostgreSQL frontend message may change data once executed. Only one shape is known not
 * to: a simple query holding one SELECT (no ";" before its end). Everything else counts as a
 * change: any other statement, a transaction's COMMIT, and every extended-protocol message (an
 * Execute runs a statement parsed earlier, a Sync commits it). Erring this way costs a cache miss,
 * never a stale answer. Janus never selects a function that writes.
 */
export function mayChangeData(message: Uint8Array): boolean {
  if (message[0] !== QUERY) return true;
  // The query text ends with a NUL byte.
  let end = message.length - 1;
  while (end > HEADER_BYTES && (isSpace(message[end - 1]!) || message[end - 1] === SEMICOLON)) end--;
  let start = HEADER_BYTES;
  while (start < end && isSpace(message[start]!)) start++;
  if (end - start <= SELECT.length) return true;
  for (let i = 0; i < SELECT.length; i++) {
    // ASCII letters: setting bit 0x20 makes them lower case.
    if ((message[start + i]! | 0x20) !== SELECT.charCodeAt(i)) return true;
  }
  if (!isSpace(message[start + SELECT.length]!)) return true;
  for (let i = start; i < end; i++) if (message[i] === SEMICOLON) return true;
  return false;
}
