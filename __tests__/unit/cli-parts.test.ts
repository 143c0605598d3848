import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneBundles } from '../../bundle/lambda-bundle';
import { inFlagTerms, resumeCommand, type RunFlags } from '../../cli/options';
import { duration, statusLine } from '../../cli/progress';
import { shortCause, summaryTable } from '../../cli/report';
import type { ExecutionRecord } from '../../local/execution';
import { LiveProgress, type LiveSnapshot } from '../../local/live-progress';
import { retuneRecord, retuningFor } from '../../local/retune';
import { thrownAt } from '../../handlers/thrown-at';
import type { Summary } from '../../workflow/contract';
import { builtInTuning } from '../../workflow/input';
import { zeroTotals } from '../../workflow/totals';

const snapshot = (over: Partial<LiveSnapshot>): LiveSnapshot => ({ segments: 4, segmentsDone: 0, scanned: 0, updated: 0, deleted: 0, failed: 0, elapsedMs: 0, itemsPerSecond: 0, ...over });

describe('the progress line', () => {
  it('GIVEN a known item count THEN it shows a bar, the rate and an ETA; WHEN every item is read but segments still run THEN the bar stops at 99%', () => {
    expect(statusLine(snapshot({ scanned: 500, expected: 1000, itemsPerSecond: 250, etaMs: 2000, updated: 400 }), 'write', 10)).toBe(
      '[#####.....]  50% 500/1,000 items · 250/s · ETA 0:02 · updated 400 · failed 0 · segments 0/4 done',
    );
    expect(statusLine(snapshot({ scanned: 1000, expected: 1000, elapsedMs: 4000 }), 'write', 10)).toMatch(/^\[##########\]  99% 1,000\/1,000 items .* elapsed 0:04/);
    expect(statusLine(snapshot({ scanned: 1000, expected: 1000, segmentsDone: 4 }), 'write', 10)).toMatch(/^\[##########\] 100% /);
  });

  it('GIVEN no item count (DynamoDB says 0) THEN no bar and no ETA, the elapsed time instead; a dry run says "would"', () => {
    expect(statusLine(snapshot({ scanned: 1234, itemsPerSecond: 99.6, elapsedMs: 75_000, updated: 3, deleted: 1 }), 'dry-run', 10)).toBe(
      '1,234 items · 100/s · elapsed 1:15 · would update 3 · would delete 1 · failed 0 · segments 0/4 done',
    );
    expect(duration(3_725_000)).toBe('1:02:05');
  });
});

describe('live progress between batch results', () => {
  it('GIVEN a batch result below the in-batch estimate THEN the figure shown never goes back and the rate is never negative', () => {
    const live = new LiveProgress(0);
    live.planned({ totalSegments: 1 } as never, 0);
    live.batchReturned(0, { cursor: 'c', calls: 1, totals: [100] });
    expect(live.snapshot(1000).scanned).toBe(100);
    live.batchReturned(0, { cursor: 'c', calls: 2, totals: [90] });
    const later = live.snapshot(2000);
    expect(later.scanned).toBe(100);
    expect(later.itemsPerSecond).toBe(0);
  });
});

describe('messages in terms of flags', () => {
  it('WHEN a message names execution input fields THEN it names the flags instead, and leaves --resume alone', () => {
    expect(inFlagTerms("A resumed run cannot change 'totalSegments'; 'dryRun' and 'resume' do not go together; more than tolerated (toleratedFailures). Continue with --resume.")).toBe(
      'A resumed run cannot change --segments; --dry-run and --resume do not go together; more than tolerated (--tolerated-failures). Continue with --resume.',
    );
  });

  it('WHEN a run failed on its tolerance THEN the cause is one short sentence, without the embedded summary JSON', () => {
    const cause = `20 items failed, more than the 5 tolerated (toleratedFailures). Failed items were left as they were. Summary: {"status":"FAILED","failures":[${'{"key":{"pk":"x"},"reason":"nope"},'.repeat(30)}{}]}`;
    expect(shortCause(cause)).toBe('20 items failed, more than the 5 tolerated (--tolerated-failures). Failed items were left as they were.');
  });

  it('WHEN only some failures are sampled THEN the summary says how many more there are', () => {
    const summary: Summary = { status: 'FAILED', migrationId: 'm', table: 't', dryRun: false, ...zeroTotals(), failed: 12, backup: 'skipped', failures: Array.from({ length: 7 }, (_, i) => ({ key: { pk: `k${i}` }, reason: 'nope' })), changes: [] };
    const text = summaryTable(summary, 1);
    expect(text.match(/failed item /g)).toHaveLength(5);
    expect(text).toContain('... and 7 more failed items');
  });

  it('WHEN a run stops THEN the resume command repeats where it ran, quoted for the shell', () => {
    const flags: RunFlags = { table: "my table's", endpoint: 'http://localhost:8000', region: 'eu-west-1', items: 3000, batchSeconds: 15 };
    expect(resumeCommand('ddb-item-migrate', flags)).toBe(`npx ddb-item-migrate run --table 'my table'\\''s' --endpoint http://localhost:8000 --region eu-west-1 --resume`);
  });
});

describe('retuning a resumed run', () => {
  it('GIVEN flags on a resume THEN rate, concurrency, page size and tolerance change, the rest is refused unless unchanged', () => {
    const saved = { totalSegments: 4, versionAttribute: 'v' };
    expect(retuningFor(saved, { totalSegments: 4, maxItemsPerSecond: 50, pageSize: 100 }, builtInTuning)).toStrictEqual({ changes: { maxItemsPerSecond: 50 }, refused: [] });
    expect(retuningFor(saved, { totalSegments: 8, versionAttribute: 'w', skipBackup: true }, builtInTuning).refused.map((r) => r.field)).toStrictEqual(['totalSegments', 'versionAttribute', 'skipBackup']);
  });

  it('WHEN applied THEN every plan in the record (the parent and each child) carries the new settings', () => {
    const plan = () => ({ migrationId: 'm', totalSegments: 2, maxItemsPerSecond: 0 });
    const record: ExecutionRecord = {
      at: { state: 'MigrateSegments', input: { plan: plan() } },
      historyEvents: 3,
      mapRuns: { MigrateSegments: [{ status: 'UNFINISHED', input: { plan: plan(), segment: 0 }, record: { at: { state: 'MigrateBatch', input: { plan: plan() } }, historyEvents: 1, mapRuns: {} } }] },
    };
    retuneRecord(record, { maxItemsPerSecond: 10 });
    expect(JSON.stringify(record).match(/"maxItemsPerSecond":10/g)).toHaveLength(3);
  });
});

describe('where a transform threw', () => {
  it('GIVEN an error THEN its first frame outside Node and node_modules is named', () => {
    const error = new Error('x');
    error.stack = 'Error: x\n    at JSON.parse (<anonymous>)\n    at Object.t (node:internal/x:1:1)\n    at f (/a/node_modules/lib/i.js:3:4)\n    at transform (/home/me/m.ts:12:5)';
    expect(thrownAt(error)).toBe('/home/me/m.ts:12:5');
    expect(thrownAt('not an error')).toBeUndefined();
  });
});

describe('.build/ pruning', () => {
  it('GIVEN many old bundles THEN the newest few and the current one stay, the others and their maps go', () => {
    const root = mkdtempSync(join(tmpdir(), 'bundles-'));
    const old = Date.now() / 1000 - 7200;
    for (let i = 0; i < 8; i++) {
      mkdirSync(join(root, `lambda-${i}`));
      writeFileSync(join(root, `lambda-${i}.js.map`), '{}');
      utimesSync(join(root, `lambda-${i}`), old + i, old + i);
    }
    pruneBundles(root, join(root, 'lambda-0'));
    expect(readdirSync(root).filter((n) => !n.endsWith('.map')).sort()).toStrictEqual(['lambda-0', 'lambda-4', 'lambda-5', 'lambda-6', 'lambda-7']);
    expect(readdirSync(root).filter((n) => n.endsWith('.map')).sort()).toStrictEqual(['lambda-0.js.map', 'lambda-4.js.map', 'lambda-5.js.map', 'lambda-6.js.map', 'lambda-7.js.map']);
  });
});
