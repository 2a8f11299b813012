import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  DEFAULT_PAGE,
  isUuid,
  MAX_PAGE,
  requestSchemas,
  type ErrorBody,
  type RequestSchemaName,
} from '@mind/contracts';

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv, ['uri']);
// ajv's own uuid format also takes `urn:uuid:…`, which PostgreSQL does not.
ajv.addFormat('uuid', isUuid);

const validators = Object.fromEntries(
  Object.entries(requestSchemas).map(([name, schema]) => [name, ajv.compile(schema)]),
) as Record<RequestSchemaName, ValidateFunction>;

const SIP_FIELDS = new Set(['from', 'to', 'proxy', 'destination']);

function describe(error: ErrorObject): ErrorBody {
  if (error.keyword === 'required') {
    const field = (error.params as { missingProperty: string }).missingProperty;
    return { error: `${field} is required`, field };
  }
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (field === '') return { error: `request body ${error.message ?? 'is invalid'}` };
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    return { error: `${field} must be one of ${allowed.join(', ')}`, field };
  }
  if (error.keyword === 'pattern' && field === 'url') {
    return { error: 'url must be an rtmp:// or rtmps:// URL', field };
  }
  if (error.keyword === 'pattern' && field === 'timeout') {
    return { error: 'timeout must be an integer from 5 to 30', field };
  }
  if (error.keyword === 'pattern' && SIP_FIELDS.has(field)) {
    return { error: `${field} must not contain control characters (CR, LF, ...)`, field };
  }
  return { error: `${field} ${error.message ?? 'is invalid'}`, field };
}

/** Checks a JSON body against the contract; returns the first problem as `{ error, field }`, or null. */
export function validateBody(schema: RequestSchemaName, body: unknown): ErrorBody | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'request body must be a JSON object' };
  }
  const validate = validators[schema];
  return validate(body) ? null : describe(validate.errors![0]);
}

/** `detailed` accepts true/false (the SDK sends `detailed=true`); anything else is a 400. */
export function parseDetailed(raw: unknown): boolean | ErrorBody {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1' || raw === '') return true;
  return { error: 'detailed must be true or false', field: 'detailed' };
}

/** `since` (epoch ms, default 0) and `limit` (1..MAX_PAGE, default DEFAULT_PAGE) of a list; a 400 otherwise. */
export function parsePage(raw: Record<string, unknown>): { since: number; limit: number } | ErrorBody {
  const integer = (name: 'since' | 'limit', fallback: number, min: number, max: number) => {
    const value = raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return null;
    const number = Number(value);
    return number >= min && number <= max ? number : null;
  };
  const since = integer('since', 0, 0, Number.MAX_SAFE_INTEGER);
  if (since === null) return { error: 'since must be a time in epoch milliseconds', field: 'since' };
  const limit = integer('limit', DEFAULT_PAGE, 1, MAX_PAGE);
  if (limit === null) return { error: `limit must be an integer from 1 to ${MAX_PAGE}`, field: 'limit' };
  return { since, limit };
}
