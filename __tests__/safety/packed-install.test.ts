/**
 * Installable outside this repository: the packed tarball, installed into a fresh project, gives a
 * working `npx ddb-item-migrate` (run, graph), type-checks a user's migration that imports
 * defineMigration from the package (with the user's own tsc and with the CLI's check before
 * bundling), and lets the user's own cdktf app add the migration stack for their table.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Summary } from '../../workflow/contract';
import { newTable, putItems, scanAll, useTestDb } from '../support/dynamo';
import { installTarball, packTarball, type PackedTarball } from '../support/packed-install';

const exec = promisify(execFile);
const db = useTestDb();
let packDir: string;
let tarball: PackedTarball;
let project: string;

/** A command in the user's project, as the user would type it; never throws, returns the exit code. */
async function inProject(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', FORCE_COLOR: '0' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_REGION', 'TSX_TSCONFIG_PATH']) delete env[name];
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: project, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  packDir = mkdtempSync(join(tmpdir(), 'ddb-item-migrate-pack-'));
  tarball = packTarball(packDir);
  project = installTarball(tarball);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'node16', moduleResolution: 'node16', esModuleInterop: true, skipLibCheck: true, outDir: 'build' }, include: ['*.ts'] }),
  );
}, 240_000);

afterAll(() => {
  rmSync(packDir, { recursive: true, force: true });
  if (project) rmSync(project, { recursive: true, force: true });
});

it('GIVEN the tarball THEN it is lean: compiled code, the launcher and docs only', () => {
  expect(tarball.files.filter((f) => !/^(dist\/|bin\/|docs\/deployer-policy\.json$|package\.json$|README\.md$)/.test(f))).toStrictEqual([]);
  expect(tarball.files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toStrictEqual([]);
  expect(tarball.files).toContain('dist/migrations/define.d.ts');
  expect(tarball.size).toBeLessThan(500_000);
});

it('WHEN the user runs npx ddb-item-migrate THEN --version, graph and the embedded demo work', async () => {
  const [version, graph, demo] = await Promise.all([
    inProject('npx', ['ddb-item-migrate', '--version']),
    inProject('npx', ['ddb-item-migrate', 'graph']),
    inProject('npx', ['ddb-item-migrate', 'run', '--items', '200']),
  ]);
  expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version}\n` });
  expect(graph.code).toBe(0);
  expect(graph.stdout.startsWith('flowchart TD\n')).toBe(true);
  expect(demo.stdout).toContain('Verification: 200/200 items migrated correctly');
  expect(demo.code).toBe(0);
});

it("WHEN the user writes a migration importing the package THEN their tsc and the CLI's check accept it, a type error is refused with file:line, and it migrates their table", async () => {
  writeFileSync(join(project, 'migration.ts'), `import { defineMigration, type Item } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'user-migration', transform: (item: Item) => ({ ...item, seen: true }) });\n`);
  writeFileSync(join(project, 'broken.ts'), `import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'broken', transform: (item) => ({ ...item, n: item.name.length }) });\n`);
  const table = await newTable(db.admin);
  await putItems(db.admin, table, Array.from({ length: 50 }, (_, i) => ({ pk: { S: `k${i}` } })));

  const broken = await inProject('npx', ['ddb-item-migrate', 'run', '--endpoint', db.endpoint, '--table', table, '--migration', 'broken.ts']);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toMatch(/broken\.ts:2:\d+ - error TS2339: Property 'length' does not exist/);
  rmSync(join(project, 'broken.ts'));

  const run = await inProject('npx', ['ddb-item-migrate', 'run', '--endpoint', db.endpoint, '--table', table, '--migration', 'migration.ts', '--skip-backup', '--json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout) as Summary).toMatchObject({ status: 'SUCCEEDED', updated: 50 });
  expect((await scanAll(db.admin, table)).every((item) => item.seen?.BOOL === true)).toBe(true);
});

it("WHEN the user's own cdktf app adds the migration stack THEN it type-checks and synthesizes the state machine for their table", async () => {
  writeFileSync(join(project, 'migration.ts'), `import { defineMigration } from 'ddb-item-migrate';\nexport default defineMigration({ id: 'user-migration', transform: (item) => item });\n`);
  writeFileSync(
    join(project, 'main.ts'),
    `import { App } from 'cdktf';
import { resolve } from 'node:path';
import { addMigrationStack } from 'ddb-item-migrate/stack';
const app = new App({ outdir: 'cdktf.out' });
addMigrationStack(app, 'orders-migration', { migrationFile: resolve('migration.ts') });
app.synth();
`,
  );
  const tsc = await inProject('npx', ['tsc', '-p', '.']);
  expect(tsc).toMatchObject({ code: 0, stdout: '' });
  const synth = await inProject(process.execPath, ['build/main.js']);
  expect(synth.code).toBe(0);
  const stack = JSON.parse(readFileSync(join(project, 'cdktf.out/stacks/orders-migration/cdk.tf.json'), 'utf8')) as { resource: Record<string, unknown>; variable: Record<string, unknown> };
  expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining(['aws_sfn_state_machine', 'aws_lambda_function']));
  expect(stack.variable).toHaveProperty('table_name');
});
