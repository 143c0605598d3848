import { defineMigration } from 'ddb-item-migrate';

const RETENTION_DAYS = 365;

/**
 * Renames `emailAddr` to `email` (lower-cased) and deletes sessions that expired more than a year
 * ago. Returning `null` deletes the item (conditionally: only if nobody changed it meanwhile).
 */
export default defineMigration({
  id: 'rename-email-prune-sessions',
  description: 'Rename emailAddr → email; delete sessions expired for over a year',
  transform(item) {
    if (item.type === 'session' && typeof item.expiresAt === 'number') {
      const cutoff = Date.now() / 1000 - RETENTION_DAYS * 24 * 3600;
      if (item.expiresAt < cutoff) return null;
    }
    if (!('emailAddr' in item)) return undefined;
    const { emailAddr, ...rest } = item;
    return typeof emailAddr === 'string' ? { ...rest, email: emailAddr.toLowerCase() } : rest;
  },
});
