import { defineMigration } from 'ddb-item-migrate';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Parses a Common Log Format timestamp (`10/Oct/2000:13:55:36 -0700`) into Unix seconds. */
export function clfToEpochSeconds(clf: string): number {
  const m = CLF.exec(clf);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) throw new Error(`not a CLF timestamp (expected e.g. 10/Oct/2000:13:55:36 -0700): ${JSON.stringify(clf)}`);
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60 * (m[7] === '+' ? 1 : -1);
  return utc - offset;
}

/**
 * The AWS sample's migration: `timestamp` holds a CLF string; store Unix seconds instead.
 * Idempotent: an item whose timestamp is already a number is left alone.
 */
export default defineMigration({
  id: 'clf-to-epoch',
  description: 'Convert the CLF `timestamp` string to Unix seconds',
  transform(item) {
    if (typeof item.timestamp !== 'string') return undefined;
    return { ...item, timestamp: clfToEpochSeconds(item.timestamp) };
  },
});
