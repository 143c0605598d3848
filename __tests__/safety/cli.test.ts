import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Summary } from '../../workflow/contract';
import { newTable, scanAll, useTestDb } from '../support/dynamo';

const run = promisify(execFile);
const bin = resolve(__dirname, '../../bin/ddb-item-migrate.js');
const workdir = mkdtempSync(join(tmpdir(), 'ddb-migrate-cli-'));

/** Runs the CLI as a user would: a child process, in a directory outside the repository. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWithEnv({}, ...args);
}

async function cliWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: workdir, env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A migration file outside the repository that imports the package by name. */
function migrationFile(name: string, body: string): string {
  const file = join(workdir, name);
  writeFileSync(file, body);
  return file;
}

const tagMigration = migrationFile(
  'tag.ts',
  `import { defineMigration } from 'ddb-item-migrate';
const suffix: string = '!';
export default defineMigration({ id: 'tag-items', transform: (item) => ({ ...item, name: String(item.name) + suffix }) });
`,
);

const db = useTestDb();

async function seededTable(count: number): Promise<string> {
  const table = await newTable(db.admin);
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => ({ PutRequest: { Item: { pk: { S: `k${i + j}` }, name: { S: `n${i + j}` } } } }));
    await db.admin.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
  }
  return table;
}

describe('ddb-item-migrate run', () => {
  it('runs the embedded demo and verifies every item', async () => {
    const { code, stdout } = await cli('run', '--items', '200');
    expect(stdout).toContain('Verification: 200/200 items migrated correctly');
    expect(stdout).toMatch(/status\s+SUCCEEDED/);
    expect(stdout).toMatch(/example after:\s+{"requestId":"req-\d+","timestamp":\d+}/);
    expect(code).toBe(0);
  });

  it('migrates a table at an endpoint with a migration file from elsewhere, printing one JSON object', async () => {
    const table = await seededTable(300);
    const { code, stdout } = await cli('run', '--endpoint', db.endpoint, '--table', table, '--migration', tagMigration, '--segments', '3', '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary).toMatchObject({ status: 'SUCCEEDED', migrationId: 'tag-items', table, scanned: 300, updated: 300, failed: 0, deleted: 0 });
    expect(summary.backup).toMatchObject({ name: expect.stringContaining(`${table}-backup-`) });
    const items = await scanAll(db.admin, table);
    expect(items.filter((i) => /^n\d+!$/.test(i.name!.S!))).toHaveLength(300);
  });

  it('writes nothing in a dry run (with a plain .js migration file)', async () => {
    const table = await seededTable(50);
    const before = await scanAll(db.admin, table);
    const jsMigration = migrationFile(
      'tag.js',
      `import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'tag-js', transform: (item) => ({ ...item, name: item.name + '!' }) });\n`,
    );
    const { code, stdout } = await cli('run', '--endpoint', db.endpoint, '--table', table, '--migration', jsMigration, '--dry-run', '--skip-backup', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, updated: 50, backup: 'skipped' });
    expect(await scanAll(db.admin, table)).toStrictEqual(before);
  });

  it('prints a FAILED JSON object and exits non-zero when more items fail than tolerated', async () => {
    const table = await seededTable(20);
    const failing = migrationFile('fail.ts', `import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'fails', transform() { throw new Error('nope'); } });\n`);
    const { code, stdout } = await cli('run', '--endpoint', db.endpoint, '--table', table, '--migration', failing, '--skip-backup', '--tolerated-failures', '5', '--json');
    expect(code).toBe(1);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary).toMatchObject({ status: 'FAILED', error: 'ToleratedFailuresExceeded', failed: 20, updated: 0 });
    // The bundle's source map points the error at the user's own file and line.
    expect(summary.failures[0]!.reason).toMatch(/^transform threw nope \(at .*fail\.ts:2:\d+\)$/);
  });
});

describe('ddb-item-migrate run --resume', () => {
  // The migration kills the whole process after CRASH_AFTER items: a Lambda dying mid-batch.
  const crashing = migrationFile(
    'crashing.ts',
    `import { defineMigration } from 'ddb-item-migrate';
let seen = 0;
export default defineMigration({
  id: 'tag-once',
  transform(item) {
    if (process.env.CRASH_AFTER && ++seen > Number(process.env.CRASH_AFTER)) process.exit(70);
    return { ...item, name: String(item.name) + '!' };
  },
});
`,
  );

  it('continues a crashed run from its checkpoint; with a version marker every item is migrated exactly once', async () => {
    const table = await seededTable(400);
    const args = ['run', '--endpoint', db.endpoint, '--table', table, '--migration', crashing, '--segments', '2', '--page-size', '10', '--batch-seconds', '1', '--version-attribute', 'migratedBy', '--json'];
    // Calls of 1 s: checkpoints exist before the crash.
    const crashed = await cliWithEnv({ CRASH_AFTER: '250' }, ...args);
    expect(crashed.code).toBe(70);
    const midway = await scanAll(db.admin, table);
    expect(midway.filter((i) => i.migratedBy).length).toBeGreaterThan(0);
    expect(midway.filter((i) => i.migratedBy).length).toBeLessThan(400);

    const again = await cli(...args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/did not finish .*Continue it with --resume/);

    const otherMigration = await cli(...args.map((a) => (a === crashing ? tagMigration : a)), '--resume');
    expect(otherMigration.code).toBe(2);
    expect(otherMigration.stderr).toMatch(/was started with .*crashing.ts; resume it with that migration/);

    const resumed = await cli(...args, '--resume');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as Summary;
    expect(summary).toMatchObject({ status: 'SUCCEEDED', failed: 0 });
    expect(summary.backup).toMatchObject({ name: expect.stringContaining(`${table}-backup-`) });
    const items = await scanAll(db.admin, table);
    expect(items.filter((i) => /^n\d+!$/.test(i.name!.S!) && i.migratedBy?.S === 'tag-once')).toHaveLength(400);

    const nothingLeft = await cli(...args, '--resume');
    expect(nothingLeft.stderr).toMatch(/There is no unfinished run/);
  });
});

describe('bad input ends in a clear error, a non-zero exit and no writes', () => {
  let table: string;
  let before: unknown;
  beforeAll(async () => {
    table = await seededTable(5);
    before = await scanAll(db.admin, table);
  });
  afterEach(async () => {
    expect(await scanAll(db.admin, table)).toStrictEqual(before);
  });

  it.each([
    ['a missing table', () => ['--table', 'nope', '--migration', tagMigration], /Table 'nope' does not exist at http/],
    ['an unreachable endpoint', () => ['--endpoint', 'http://127.0.0.1:9', '--table', table, '--migration', tagMigration], /Cannot reach DynamoDB at http:\/\/127.0.0.1:9/],
    ['a table without a migration', () => ['--table', table], /--table needs --migration/],
    ['a migration file that does not exist', () => ['--table', table, '--migration', join(workdir, 'missing.ts')], /The migration file .*missing.ts does not exist/],
    ['a migration that does not compile', () => ['--table', table, '--migration', migrationFile('broken.ts', 'export default defineMigration({ id: \n')], /does not compile.*\n\s+.*broken\.ts:\d+:\d+ - error TS\d+/],
    [
      'a migration with a type error',
      () => ['--table', table, '--migration', migrationFile('typo.ts', "import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'typo', transform: (item) => ({ ...item, n: item.name.toUpperCase() }) });\n")],
      /typo\.ts:2:\d+ - error TS2339: Property 'toUpperCase' does not exist/,
    ],
    ['a migration without a defineMigration default export', () => ['--table', table, '--migration', migrationFile('plain.ts', 'export const x = 1;\n')], /has no default export made with defineMigration/],
    ['out-of-range segments', () => ['--table', table, '--segments', '5000'], /--segments <n>' argument '5000' is invalid. Expected a number from 1 to 1000, got 5000/],
    ['a non-numeric page size', () => ['--table', table, '--page-size', 'ten'], /Expected a whole number from 1 to 1000, got 'ten'/],
    ['a malformed endpoint', () => ['--endpoint', 'localhost:8000', '--table', table], /Expected an http:\/\/ or https:\/\/ URL, got 'localhost:8000'/],
    ['--resume with nothing to resume', () => ['--table', table, '--resume'], /There is no unfinished run of '.*' to resume/],
    ['an unknown flag', () => ['--table', table, '--segmnts', '2'], /unknown option '--segmnts'/],
  ])('%s', async (_name, args, message) => {
    const extra = args();
    const withEndpoint = extra.includes('--endpoint') ? extra : ['--endpoint', db.endpoint, ...extra];
    const { code, stderr, stdout } = await cli('run', ...withEndpoint);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });
});

it('keeps the --json promise when the run cannot start: one FAILED object on stdout', async () => {
  const { code, stdout, stderr } = await cli('run', '--endpoint', db.endpoint, '--table', 'nope', '--migration', tagMigration, '--json');
  expect(code).toBe(2);
  expect(JSON.parse(stdout)).toStrictEqual({ status: 'FAILED', error: 'RunRequestError', cause: expect.stringContaining("Table 'nope' does not exist") });
  expect(stderr).toContain("Table 'nope' does not exist");
});

describe('ddb-item-migrate graph', () => {
  it('prints the definition as Mermaid', async () => {
    const { code, stdout } = await cli('graph');
    expect(code).toBe(0);
    expect(stdout.startsWith('flowchart TD\n')).toBe(true);
    for (const state of ['Prepare', 'CreateBackup', 'MigrateSegments', 'MigrateBatch', 'Summarize', 'TooManyFailures']) expect(stdout).toContain(state);
    // The README's picture is this output, so the docs cannot drift from the definition.
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`mermaid\n${stdout}\`\`\``);
  });

  it('shows help for every command', async () => {
    for (const command of [[], ['run'], ['graph']]) {
      const { code, stdout } = await cli(...command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: ddb-item-migrate');
    }
  });
});
