import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** The project root, so the bundle can be built from any working directory. */
export const projectRoot = resolve(__dirname, '..');

/** The migration the stack and `npm start` use when none is chosen. */
export const defaultMigrationFile = join(projectRoot, 'migrations/examples/clf-to-epoch.ts');

/** The name the Lambda entry imports the selected migration module by. */
const MIGRATION_MODULE = 'ddb-migrate-selected-migration';

/** The handler export of the bundle, as the Lambda resource names it. */
export const LAMBDA_HANDLER = 'index.handler';

/** A built Lambda bundle: one CommonJS file `index.js` in `dir`. */
export interface LambdaBundle {
  dir: string;
  file: string;
  /** Content hash: changes exactly when the code or the migration changes. */
  hash: string;
}

/**
 * Bundles `handlers/lambda.ts` with the chosen migration module into one file for the Node.js 22
 * Lambda runtime. The same bundle is deployed by the stack and run by `ddb-migrate run`.
 */
export function bundleLambda(migrationFile: string, outRoot = join(projectRoot, '.build')): LambdaBundle {
  const result = buildSync({
    entryPoints: [join(projectRoot, 'handlers/lambda.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    alias: {
      [MIGRATION_MODULE]: resolve(migrationFile),
      'dynamodb-migrations': join(projectRoot, 'migrations/define.ts'),
    },
    nodePaths: [join(projectRoot, 'node_modules')],
    legalComments: 'none',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(outRoot, `lambda-${hash}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.js');
  writeFileSync(file, code);
  return { dir, file, hash };
}
