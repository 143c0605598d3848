import { defineMigration } from 'ddb-item-migrate';

/**
 * Backfills the key of a new GSI ("orders by customer and status"): `gsi1pk = CUSTOMER#<customerId>`,
 * `gsi1sk = <status>#<createdAt>`. Items without a customer (not orders) are left alone.
 */
export default defineMigration({
  id: 'backfill-gsi1',
  description: 'Backfill gsi1pk/gsi1sk from customerId, status and createdAt',
  transform(item) {
    if (typeof item.customerId !== 'string') return undefined;
    const status = typeof item.status === 'string' ? item.status : 'UNKNOWN';
    const createdAt = typeof item.createdAt === 'string' ? item.createdAt : '0000-00-00T00:00:00Z';
    return { ...item, gsi1pk: `CUSTOMER#${item.customerId}`, gsi1sk: `${status}#${createdAt}` };
  },
});
