import { UsageError } from '../errors.js';

/**
 * Parses a point in time given by a user: unix seconds (10 digits or fewer), unix milliseconds
 * (more digits), or an ISO 8601 date. Returns ms since the epoch; throws {@link UsageError} otherwise.
 */
export function parseTimeMs(text: string, flag = '--now'): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    return trimmed.length <= 10 ? value * 1000 : value;
  }
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: '${text}' is neither a unix time nor an ISO 8601 date`);
  return ms;
}
