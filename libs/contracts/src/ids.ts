const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are plain UUIDs (no `urn:uuid:`, no braces): anything else never reaches Postgres. */
export const isUuid = (value: string) => UUID.test(value);
