/**
 * Finding a Terraform CLI and a way to install the AWS provider, and running Terraform with a CLI
 * configuration of our own, so the deploy rehearsal runs offline against a filesystem mirror here
 * and against the registry elsewhere.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AWS_PROVIDER_VERSIONS } from '../../../stacks/terraform-settings';

/** Names a filesystem mirror holding the AWS provider; `registry` forces installation from the registry. */
export const MIRROR_ENV = 'DEPLOY_REHEARSAL_PROVIDER_MIRROR';

/** Set (as CI does) when a skipped rehearsal must fail the run instead. */
export const REQUIRED_ENV = 'DEPLOY_REHEARSAL_REQUIRED';

/** A Terraform that can install the AWS provider, and the environment to run it with. */
export interface TerraformSetup {
  ready: true;
  binary: string;
  version: string;
  /** Where the provider comes from: a filesystem mirror folder, or the registry. */
  providerSource: string;
  env: NodeJS.ProcessEnv;
}

/** Why the rehearsal cannot run here. */
export interface TerraformUnavailable {
  ready: false;
  reason: string;
}

const PROVIDER_DIR = join('registry.terraform.io', 'hashicorp', 'aws');
const PLATFORM = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** `terraform` on the PATH, as cdktf would find it. */
function terraformOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'terraform.exe' : 'terraform');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether a provider version folder name is in AWS_PROVIDER_VERSIONS (>= 5.100.0, < 7.0.0). */
function inRange(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (major === 5 && minor >= 100) || major === 6;
}

/** Whether `dir` is a filesystem mirror (unpacked layout) with an AWS provider the stack accepts. */
function mirrorHasProvider(dir: string): boolean {
  const versions = join(dir, PROVIDER_DIR);
  if (!existsSync(versions)) return false;
  return readdirSync(versions).some((version) => inRange(version) && existsSync(join(versions, version, PLATFORM)));
}

/**
 * The mirror to install from: the env override, else the first of Terraform's implied local mirror
 * folders (and /opt/tf-plugins, where CI machines keep one) that holds a matching provider.
 */
function findMirror(): string | undefined {
  const chosen = process.env[MIRROR_ENV];
  if (chosen === 'registry') return undefined;
  if (chosen) return chosen;
  const dataDirs = (process.env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const candidates = [
    join(homedir(), '.terraform.d', 'plugins'),
    join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'terraform', 'plugins'),
    ...dataDirs.map((d) => join(d, 'terraform', 'plugins')),
    '/opt/tf-plugins',
  ];
  return candidates.find(mirrorHasProvider);
}

/** Credentials and settings of the caller's real AWS setup must not reach the rehearsal. */
const AWS_SETTINGS = ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION'];

/**
 * Decides, before any test is declared, whether the rehearsal can run: a Terraform CLI on the PATH,
 * and a `terraform init` of the AWS provider that works (from the mirror, or the registry).
 * `workDir` gets the CLI configuration file; registry downloads go to one cache shared by every run.
 */
export function prepareTerraform(workDir: string): TerraformSetup | TerraformUnavailable {
  const binary = terraformOnPath();
  if (!binary) return { ready: false, reason: 'no terraform on PATH' };
  const version = /Terraform v(\S+)/.exec(execFileSync(binary, ['version'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '' } }))?.[1] ?? 'unknown';

  const mirror = findMirror();
  mkdirSync(workDir, { recursive: true });
  const cliConfig = join(workDir, 'terraform.tfrc');
  // A mirror in the unpacked layout is linked into each configuration, so both share one copy; from
  // the registry, a cache outside the temp folder keeps the download for the next run.
  const cache = process.env.TF_PLUGIN_CACHE_DIR ?? join(tmpdir(), 'dynamodb-migrations-terraform-plugins');
  if (mirror) {
    writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
  } else {
    mkdirSync(cache, { recursive: true });
    writeFileSync(cliConfig, `plugin_cache_dir = ${JSON.stringify(cache)}\n`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  for (const name of AWS_SETTINGS) delete env[name];
  delete env.TF_LOG;

  // The probe is the same init the rehearsal does, on a configuration holding only the provider.
  const probe = join(workDir, 'probe');
  mkdirSync(probe, { recursive: true });
  writeFileSync(
    join(probe, 'main.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSIONS } } } }),
  );
  const providerSource = mirror ?? 'the Terraform registry';
  try {
    execFileSync(binary, ['init', '-input=false', '-no-color', '-backend=false'], { cwd: probe, env, encoding: 'utf8', stdio: 'pipe', timeout: 300_000 });
  } catch (error) {
    const output = `${(error as { stderr?: string }).stderr ?? ''}${(error as Error).message}`;
    const detail = output.split('\n').map((l) => l.trim()).find((l) => /error/i.test(l)) ?? output.trim().split('\n')[0];
    return { ready: false, reason: `terraform ${version} cannot install the AWS provider from ${providerSource} (${detail})` };
  }
  return { ready: true, binary, version, providerSource, env };
}

/** What a Terraform command printed. */
export interface TerraformOutput {
  stdout: string;
  stderr: string;
}

/** Runs one Terraform command in `cwd`; a failure carries Terraform's own output in its message. */
export function terraform(setup: TerraformSetup, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<TerraformOutput> {
  return new Promise((resolve, reject) => {
    execFile(setup.binary, args, { cwd, env: { ...setup.env, ...env }, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`terraform ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`, { cause: error }));
      else resolve({ stdout, stderr });
    });
  });
}
