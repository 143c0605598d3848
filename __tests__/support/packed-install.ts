/**
 * The package as a user gets it: `npm pack` (which builds dist/), then a fresh project elsewhere
 * that installs the tarball with npm. No network: the project's lockfile already pins every runtime
 * dependency with its integrity, and `npm ci` filled npm's cache with them, so the fresh project gets
 * a lockfile made from those entries and `npm ci --offline` installs from the cache. The optional
 * cdktf peers are linked from this checkout (a user's cdktf app has its own).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

/** What `npm pack --json` reports. */
export interface PackedTarball {
  file: string;
  integrity: string;
  size: number;
  files: string[];
}

/** Runs `npm pack` in the checkout into `destination`. */
export function packTarball(destination: string): PackedTarball {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = (JSON.parse(out.slice(out.indexOf('['))) as { filename: string; integrity: string; size: number; files: { path: string }[] }[])[0]!;
  return { file: join(destination, info.filename), integrity: info.integrity, size: info.size, files: info.files.map((f) => f.path) };
}

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

/** A fresh project that depends on the tarball, installed offline; returns its folder. */
export function installTarball(tarball: PackedTarball): string {
  const project = mkdtempSync(join(tmpdir(), 'ddb-item-migrate-user-'));
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball.file}`;
  // The checkout's non-dev entries are exactly the package's runtime closure, hoisted as here.
  const runtime = Object.fromEntries(Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev));
  const own = {
    version: manifest.version,
    resolved: spec,
    integrity: tarball.integrity,
    license: manifest.license,
    dependencies: manifest.dependencies,
    bin: manifest.bin,
    engines: manifest.engines,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
  };
  const user = { name: 'user-project', version: '1.0.0', private: true, dependencies: { [String(manifest.name)]: spec } };
  writeFileSync(join(project, 'package.json'), JSON.stringify(user, null, 2));
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: user.name, version: user.version, lockfileVersion: 3, requires: true, packages: { '': user, [`node_modules/${String(manifest.name)}`]: own, ...runtime } }, null, 2),
  );
  // Install scripts stay off: esbuild and the level stores ship prebuilt binaries, and node-gyp would need the network.
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const peer of ['cdktf', 'constructs', '@cdktf/provider-aws']) {
    mkdirSync(dirname(join(project, 'node_modules', peer)), { recursive: true });
    symlinkSync(join(repo, 'node_modules', peer), join(project, 'node_modules', peer), 'dir');
  }
  return project;
}
