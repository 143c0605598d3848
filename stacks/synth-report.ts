import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import type { LambdaBundle } from '../bundle/lambda-bundle';

/**
 * The id of the migration inside a built bundle, read by loading the bundle the way Lambda does.
 * A child process keeps the bundle's load-time checks and the SDK's warnings out of the synth output.
 */
export function bundledMigrationId(bundle: LambdaBundle): string {
  const script = 'process.stdout.write(String(require(process.argv[1]).migrationId))';
  return execFileSync(process.execPath, ['--no-warnings', '-e', script, bundle.file], {
    env: { ...process.env, TABLE_NAME: 'synth-time-load' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The line synthesis prints, so the person deploying sees which migration goes out. */
export function synthReport(migrationFile: string, bundle: LambdaBundle, cwd = process.cwd()): string {
  return `Bundled migration '${bundledMigrationId(bundle)}' from ${relative(cwd, migrationFile)} (bundle ${bundle.hash}).`;
}
