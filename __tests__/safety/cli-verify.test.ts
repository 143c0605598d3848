/**
 * `verify`, `run --verify`, `run --catch-up` and one writing run per table, through the real binary
 * in child processes: the exact --json shape, the exit codes (0 verified, 1 unmigrated, 2 usage),
 * and a second writing run refused by the lock next to the checkpoint while a verification is let
 * through.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../../workflow/contract';
import { CliWorkdir, collect, exited, waitFor } from '../support/cli';
import { newTable, putItems, useTestDb } from '../support/dynamo';

const db = useTestDb();
const cli = new CliWorkdir();

const tag = cli.tagMigration();

async function tableOf(names: string[]): Promise<string> {
  const table = await newTable(db.admin);
  await putItems(db.admin, table, names.map((name, i) => ({ pk: { S: `k${i}` }, name: { S: name } })));
  return table;
}

const verifyArgs = (table: string, ...more: string[]) => ['verify', '--endpoint', db.endpoint, '--table', table, '--migration', tag, ...more];

describe('ddb-item-migrate verify', () => {
  it.concurrent('WHEN every item is migrated THEN --json prints exactly { status, checked, migrated, unmigrated, samples, digest } with VERIFIED, and exits 0', async () => {
    const table = await tableOf(Array.from({ length: 40 }, (_, i) => `n${i}!`));
    const result = await cli.run(verifyArgs(table, '--json', '--segments', '4'));

    expect(result).toMatchObject({ code: 0 });
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(output)).toStrictEqual(['status', 'checked', 'migrated', 'unmigrated', 'samples', 'digest']);
    expect(output).toMatchObject({ status: 'VERIFIED', checked: 40, migrated: 40, unmigrated: 0, samples: [] });
    expect(output.digest).toMatch(/^[0-9a-f]{16}$/);
    // Nothing kept: a verification has no checkpoint and takes no lock.
    const kept = join(cli.dir, '.ddb-migrate');
    expect(existsSync(kept) ? readdirSync(kept).filter((f) => f.startsWith(table)) : []).toStrictEqual([]);
  });

  it.concurrent('WHEN some items are not migrated THEN it exits 1, names their keys, and the table says how many more', async () => {
    const table = await tableOf([...Array.from({ length: 30 }, (_, i) => `n${i}!`), ...Array.from({ length: 8 }, (_, i) => `old${i}`)]);
    const json = await cli.run(verifyArgs(table, '--json'));
    expect(json).toMatchObject({ code: 1 });
    const output = JSON.parse(json.stdout) as { status: string; unmigrated: number; samples: { key: { pk: string }; reason: string }[] };
    expect(output).toMatchObject({ status: 'UNMIGRATED', checked: 38, migrated: 30, unmigrated: 8 });
    expect(output.samples.map((s) => s.key.pk).sort()).toStrictEqual(['k30', 'k31', 'k32', 'k33', 'k34', 'k35', 'k36', 'k37']);

    const text = await cli.run(verifyArgs(table));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/status\s+UNMIGRATED/);
    expect(text.stdout).toContain('... and 3 more unmigrated items');
    expect(text.stderr).toContain('VERIFY: every item is read and checked; nothing will be written');
  });

  it.concurrent('WHEN --migration is missing, or a flag only a migration has is given THEN it exits 2 and names what to do', async () => {
    const missing = await cli.run(['verify', '--endpoint', db.endpoint, '--table', 'any']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('verify needs --table and --migration');
    const writeFlag = await cli.run([...verifyArgs('any'), '--tolerated-failures', '3']);
    expect(writeFlag.code).toBe(2);
    expect(writeFlag.stderr).toMatch(/unknown option '--tolerated-failures'/);
  });
});

describe('ddb-item-migrate run --verify and --catch-up', () => {
  it.concurrent('WHEN a run verifies after migrating THEN the summary carries the verification and the pass, and it exits 0', async () => {
    const table = await tableOf(Array.from({ length: 60 }, (_, i) => `n${i}`));
    const result = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup', '--verify', '--catch-up', '2', '--json']);

    expect(result).toMatchObject({ code: 0 });
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ status: 'SUCCEEDED', updated: 60, verification: { status: 'VERIFIED', checked: 60, migrated: 60, unmigrated: 0 } });
    // The first pass changed items, so one catch-up pass ran and found nothing left; then the verification.
    expect(summary.passes?.map((p) => p.kind)).toStrictEqual(['migrate', 'migrate', 'verify']);
  });

  it.concurrent('WHEN --verify is combined with --dry-run THEN it exits 2 naming both flags', async () => {
    const result = await cli.run(['run', '--endpoint', db.endpoint, '--table', 'any', '--migration', tag, '--dry-run', '--verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--dry-run.*cannot be combined with.*--verify/);
  });
});

describe('GIVEN a run migrating a table', () => {
  it.concurrent('WHEN a second run of the same table starts THEN it is refused (exit 2) naming the first and how to stop it; a verification runs alongside; after the first ends, the lock is gone', async () => {
    const table = await tableOf(Array.from({ length: 400 }, (_, i) => `n${i}`));
    const first = cli.spawn(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup', '--segments', '2', '--max-items-per-second', '25']);
    const firstErr = collect(first.stderr);
    await waitFor(firstErr, (text) => /[1-9][\d,]* items · /.test(text));

    const second = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--migration', tag, '--skip-backup']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('Another run is migrating this table');
    expect(second.stderr).toContain(`process ${first.pid}`);
    expect(second.stderr).toContain(`kill -INT ${first.pid}`);
    // Not even a resume may join it: the checkpoint of a running run is not an unfinished one.
    const resume = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('Another run is migrating this table');

    const alongside = await cli.run(verifyArgs(table, '--json'));
    expect(alongside.code).toBe(1);
    expect(JSON.parse(alongside.stdout)).toMatchObject({ status: 'UNMIGRATED', checked: 400 });

    first.kill('SIGINT');
    expect(await exited(first)).toBe(130);
    const finished = await cli.run(['run', '--endpoint', db.endpoint, '--table', table, '--resume', '--max-items-per-second', '0', '--json']);
    expect(finished.code).toBe(0);
    expect(readdirSync(join(cli.dir, '.ddb-migrate')).filter((f) => f.startsWith(table) && f.endsWith('.lock'))).toStrictEqual([]);
    expect((await cli.run(verifyArgs(table, '--json'))).code).toBe(0);
  });
});
