import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { codeFile, compiled, PACKAGE_NAME, packageRoot } from './package-layout';

/** The package root (a checkout's root), so the bundle can be built from every working directory. */
export const projectRoot = packageRoot;

/** The migration the stack and `npm start` use when none is chosen. */
export const defaultMigrationFile = codeFile('migrations/examples/clf-to-epoch');

/** The name the Lambda entry imports the selected migration module by. */
const MIGRATION_MODULE = 'ddb-migrate-selected-migration';

/** The handler export of the bundle, as the Lambda resource names it. */
export const LAMBDA_HANDLER = 'index.handler';

/** Where bundles go: `.build/` in a checkout; installed, a folder in the temp dir (node_modules may be read-only). */
export const defaultBundleRoot = compiled ? join(tmpdir(), `${PACKAGE_NAME}-bundles`) : join(projectRoot, '.build');

/** Bundles kept besides the newest: a recent one may still be loading or being synthesized by another process. */
const KEEP_BUNDLES = 5;
const KEEP_YOUNGER_THAN_MS = 60 * 60 * 1000;

/** A built Lambda bundle: one CommonJS file `index.js` in `dir` (its source map lies beside the folder, not in the archive). */
export interface LambdaBundle {
  dir: string;
  file: string;
  /** Content hash: changes exactly when the code or the migration changes. */
  hash: string;
}

/** Removes old bundles: beyond the newest few, those older than an hour. */
export function pruneBundles(outRoot: string, keep: string): void {
  let entries: { dir: string; mtime: number }[];
  try {
    entries = readdirSync(outRoot)
      .filter((name) => name.startsWith('lambda-') && !name.endsWith('.map') && join(outRoot, name) !== keep)
      .map((name) => ({ dir: join(outRoot, name), mtime: statSync(join(outRoot, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
  } catch {
    return;
  }
  const now = Date.now();
  for (const entry of entries.slice(KEEP_BUNDLES - 1)) {
    if (now - entry.mtime > KEEP_YOUNGER_THAN_MS) {
      rmSync(entry.dir, { recursive: true, force: true });
      rmSync(`${entry.dir}.js.map`, { force: true });
    }
  }
}

/**
 * Bundles `handlers/lambda.ts` with the chosen migration module into one file for the Node.js 22
 * Lambda runtime. The same bundle is deployed by the stack and run by the CLI. A linked source map
 * lets a transform's error name the user's file and line (the CLI enables source maps).
 */
export function bundleLambda(migrationFile: string, outRoot = defaultBundleRoot): LambdaBundle {
  const result = buildSync({
    entryPoints: [codeFile('handlers/lambda')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    sourcemap: 'external',
    // Source paths in the map are relative to outRoot, where the map is written.
    outfile: join(outRoot, 'index.js'),
    alias: {
      [MIGRATION_MODULE]: resolve(migrationFile),
      // The user's migration gets this package's defineMigration, installed beside it or not.
      [PACKAGE_NAME]: codeFile('migrations/define'),
    },
    nodePaths: [join(projectRoot, 'node_modules')],
    legalComments: 'none',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.contents;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(outRoot, `lambda-${hash}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.js');
  // The map stays out of the deployed folder; the comment finds it beside the folder, here.
  const mapName = `lambda-${hash}.js.map`;
  writeFileSync(file, Buffer.concat([Buffer.from(code), Buffer.from(`\n//# sourceMappingURL=../${mapName}\n`)]));
  if (map) writeFileSync(join(outRoot, mapName), map);
  // Marks it as recently used, so pruning keeps it.
  const now = new Date();
  utimesSync(dir, now, now);
  pruneBundles(outRoot, dir);
  return { dir, file, hash };
}
