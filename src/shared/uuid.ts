const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lower-case canonical UUIDs only: anything else cannot be an id of ours and never reaches SQL. */
export function isUuid(value: string): boolean {
  return UUID_SHAPE.test(value);
}
