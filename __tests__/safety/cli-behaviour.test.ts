/**
 * The CLI behaves: Ctrl-C stops with progress saved and the exact resume command, a closed pipe
 * ends the output quietly, progress moves inside a batch, dry runs write nothing (no backup, no
 * checkpoint), a resume applies or refuses new flags, help and exit codes say what they do, and a
 * failed run ends with a short summary. Every test runs the real binary as a child process; the
 * tests run concurrently, two at a time (jest.config.js maxConcurrency), each with its own table:
 * most of their time is rate-limited waiting, and more would starve a 2-core machine's other tests.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { Summary } from '../../workflow/contract';
import { CliWorkdir, collect, exited, waitFor } from '../support/cli';
import { newTable, putItems, scanAll, useTestDb } from '../support/dynamo';

const db = useTestDb();
const cli = new CliWorkdir();

const tag = cli.tagMigration();

async function seededTable(count: number): Promise<string> {
  const table = await newTable(db.admin);
  await putItems(db.admin, table, Array.from({ length: count }, (_, i) => ({ pk: { S: `k${i}` }, name: { S: `n${i}` } })));
  return table;
}

const tagged = async (table: string) => (await scanAll(db.admin, table)).filter((i) => i.name!.S!.endsWith('!')).length;

describe('GIVEN a run in progress', () => {
  it.concurrent('WHEN Ctrl-C arrives THEN it finishes the writes in flight, saves progress, prints the exact resume command and exits 130; that command finishes with exact totals', async () => {
    const table = await seededTable(1200);
    const child = cli.spawn(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup', '--segments', '3', '--max-items-per-second', '300', '--batch-seconds', '30']);
    const stderr = collect(child.stderr);
    await waitFor(stderr, (text) => /[1-9][\d,]* items · /.test(text));
    child.kill('SIGINT');
    const code = await exited(child);

    expect(code).toBe(130);
    expect(stderr.text()).toContain('Stopping: finishing the writes in flight and saving progress');
    const command = /Resume from this folder with:\n {2}(.+)\n/.exec(stderr.text())?.[1];
    expect(command).toBe(`npx ddb-item-migrate run --table ${table} --endpoint ${db.endpoint} --resume --batch-seconds 30`);
    const midway = await tagged(table);
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(1200);

    // A resume may not change the segments (its cursors belong to 3), and says so in terms of flags.
    const refused = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--resume', '--segments', '4']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/A resumed run cannot change --segments \(the run keeps 3, asked 4\)/);

    // The printed command (less npx), with the rate limit lifted: applied, and the totals are exact.
    const args = command!.split(' ').slice(2);
    const resumed = await cli.run([...args, '--max-items-per-second', '0', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout) as Summary).toMatchObject({ status: 'SUCCEEDED', scanned: 1200, updated: 1200, unchanged: 0, failed: 0 });
    expect(await tagged(table)).toBe(1200);
  });

  it.concurrent('WHEN the reader of its output goes away (| head) THEN the run carries on to the end quietly, exit 0', async () => {
    const table = await seededTable(300);
    const child = cli.spawn(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup']);
    // Both pipes closed at once: every progress line and the summary hit EPIPE.
    child.stdout!.destroy();
    child.stderr!.destroy();
    expect(await exited(child)).toBe(0);
    expect(await tagged(table)).toBe(300);
  });

  it.concurrent('WHEN a batch lasts seconds THEN progress lines with items, rate and elapsed time come at least once a second from inside it', async () => {
    // dynalite reports ItemCount 0: the count is unknown, so elapsed time stands in for an ETA.
    const table = await seededTable(900);
    const { code, stderr } = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup', '--segments', '1', '--max-items-per-second', '300', '--batch-seconds', '60']);
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`^Migrating table '${table}' at ${db.endpoint} with migration 'tag' \\(.*tag\\.ts\\)$`, 'm'));
    expect(stderr).toContain('item count unknown');
    const before = stderr.slice(0, stderr.indexOf('segment 0 done'));
    const counts = [...before.matchAll(/^([\d,]+) items · ([\d,]+)\/s · elapsed \d+:\d\d · updated/gm)].map((m) => Number(m[1]!.replace(/,/g, '')));
    // One batch of about 3 s: at least two distinct, growing counts before it returned.
    expect(new Set(counts.filter((n) => n > 0)).size).toBeGreaterThanOrEqual(2);
    expect(counts).toStrictEqual([...counts].sort((a, b) => a - b));
  });
});

describe('GIVEN a dry run', () => {
  it.concurrent('WHEN it runs, or is stopped THEN it takes no backup, leaves no checkpoint, and says "would update"', async () => {
    const table = await seededTable(600);
    const dry = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--dry-run', '--segments', '2', '--batch-seconds', '1']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('DRY RUN: nothing will be written (no backup, no checkpoint)');
    expect(dry.stdout).toMatch(/backup\s+none \(a dry run writes nothing\)/);
    expect(dry.stdout).toMatch(/would update\s+600/);
    expect(await tagged(table)).toBe(0);

    // Stopped midway, a dry run leaves nothing that could block the real run.
    const fresh = await seededTable(1200);
    const child = cli.spawn(['run', '--endpoint', db.endpoint, '--table', fresh, '--migration', tag, '--dry-run', '--max-items-per-second', '200']);
    const progress = collect(child.stderr);
    await waitFor(progress, (text) => /would update/.test(text));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(progress.text()).toContain('It was a dry run: nothing was written and there is nothing to resume.');
    expect(existsSync(join(cli.dir, '.ddb-migrate')) ? readdirSync(join(cli.dir, '.ddb-migrate')).filter((f) => f.startsWith(fresh)) : []).toStrictEqual([]);
    expect(await tagged(fresh)).toBe(0);
    const real = await cli.run(['run', '--endpoint', db.endpoint, '--table', fresh, '--migration', tag, '--skip-backup', '--json']);
    expect(real.code).toBe(0);
    // No backup table was made by either dry run.
    const tablesAfter = (await db.admin.send(new ListTablesCommand({}))).TableNames ?? [];
    expect(tablesAfter.filter((t) => t.startsWith(`${fresh}-backup`) || t.startsWith(`${table}-backup`))).toStrictEqual([]);
  });
});

describe('GIVEN a run with failures', () => {
  const failing = cli.file(
    'half.ts',
    `import { defineMigration } from 'ddb-item-migrate';
export default defineMigration({ id: 'half', transform(item) { if (Number(String(item.pk).slice(1)) % 2 === 0) throw new Error('even items fail'); return { ...item, name: 'x' }; } });
`,
  );

  it.concurrent('WHEN more fail than tolerated THEN it ends with a short readable summary ("and N more"), flags named, exit 1', async () => {
    const table = await seededTable(20);
    const { code, stdout } = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', failing, '--skip-backup', '--tolerated-failures', '3']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}status\s+FAILED$/m);
    expect(stdout.match(/^ {2}failed item /gm)).toHaveLength(5);
    expect(stdout).toContain('... and 5 more failed items');
    const error = /^ {2}error: (.*)$/m.exec(stdout)?.[1] ?? '';
    expect(error).toMatch(/^ToleratedFailuresExceeded: 10 items failed, more than the 3 tolerated \(--tolerated-failures\)/);
    expect(error.length).toBeLessThan(300);
    expect(stdout).not.toContain('{"status"');
  });

  it.concurrent('WHEN the failures are tolerated THEN the run succeeds but exits 1: items remain unmigrated', async () => {
    const table = await seededTable(6);
    const { code, stdout } = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', failing, '--skip-backup', '--tolerated-failures', '10']);
    expect(stdout).toMatch(/^ {2}status\s+SUCCEEDED$/m);
    expect(stdout).toMatch(/^ {2}failed\s+3$/m);
    expect(code).toBe(1);
  });
});

describe('help, version and usage errors', () => {
  it.concurrent('--help shows defaults, ranges, examples, environment variables and exit codes; --version prints the version', async () => {
    const help = await cli.run(['run', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--segments <n>', '1-1,000 (default: 8)', '(default: 3000)', 'Examples:', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'Exit codes:', '130', 'required with --table']) {
      // commander wraps help to the terminal's width: compare with the line breaks taken out.
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(text);
    }
    expect(help.stdout).not.toContain('else us-east-1)');
    const version = await cli.run(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it.concurrent('every kind of bad flag exits 2, like every other usage error', async () => {
    const cases: Record<string, string[]> = {
      'a value out of range': ['run', '--table', 't', '--segments', '0'],
      'a non-number': ['run', '--table', 't', '--concurrency', 'many'],
      'a missing value': ['run', '--table', 't', '--page-size'],
      'an unknown flag': ['run', '--table', 't', '--sgments', '2'],
      'a malformed endpoint': ['run', '--table', 't', '--endpoint', 'localhost'],
      'an unknown command': ['migrate'],
      'a table without a migration': ['run', '--table', 't'],
    };
    for (const [name, args] of Object.entries(cases)) {
      const { code, stderr } = await cli.run(args);
      expect({ name, code, stackTrace: /\n\s+at /.test(stderr) }).toStrictEqual({ name, code: 2, stackTrace: false });
    }
  });
});
