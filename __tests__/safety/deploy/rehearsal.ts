/**
 * One configuration of the deploy rehearsal: the synthesized stack in a folder of its own, the
 * variables it is planned with, the provider pointed at local stand-ins, and the plan read back.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { LambdaBundle } from '../../../bundle/lambda-bundle';
import { MigrationStack } from '../../../stacks/migration-stack';
import { bundledMigrationId } from '../../../stacks/synth-report';
import { terraform, type TerraformSetup } from './terraform';

/** The stack id the rehearsal synthesizes. */
export const REHEARSAL_STACK = 'rehearsal';

/**
 * Synthesizes the stack as `cdktf synth` does (the JSON and the Lambda asset) into
 * `<root>/cdktf.out/stacks/<id>`, and returns that folder.
 */
export function synthesize(root: string, bundle: LambdaBundle): string {
  mkdirSync(join(root, 'cdktf.out'), { recursive: true });
  const app = new App({ outdir: join(root, 'cdktf.out') });
  new MigrationStack(app, REHEARSAL_STACK, { bundle, migrationId: bundledMigrationId(bundle) });
  app.synth();
  return join(root, 'cdktf.out', 'stacks', REHEARSAL_STACK);
}

/** Where the provider's calls go during the rehearsal, and as whom. */
export interface LocalAws {
  region: string;
  stsEndpoint: string;
  dynamodbEndpoint: string;
}

/**
 * A Terraform override file: fake credentials, no account lookup or metadata calls, and the STS and
 * DynamoDB endpoints on this machine. The stack's own provider block stays `{}`.
 */
function providerOverride(aws: LocalAws): object {
  return {
    provider: {
      aws: [
        {
          region: aws.region,
          access_key: 'rehearsal',
          secret_key: 'rehearsal',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
          // A call to any service without a local endpoint would otherwise retry for minutes.
          max_retries: 1,
          endpoints: [{ sts: aws.stsEndpoint, dynamodb: aws.dynamodbEndpoint }],
        },
      ],
    },
  };
}

/**
 * Values known only after apply, written in as the value they will have. Terraform renders
 * everything else in the templates itself (variables, data sources, the batch timeout number).
 */
export interface StandIns {
  /** `aws_lambda_function.migrate.arn`: the ARN AWS gives a function of that name. */
  functionArn: string;
  /** `aws_cloudwatch_log_group.lambda_logs.arn`. */
  lambdaLogGroupArn: string;
}

/** The attributes the rehearsal reads as Terraform will send them, by output name. */
const RENDERED = {
  definition: ['aws_sfn_state_machine', 'migration', 'definition'],
  state_machine_policy: ['aws_iam_role_policy', 'state_machine_policy', 'policy'],
  lambda_policy: ['aws_iam_role_policy', 'lambda_policy', 'policy'],
} as const;

/** The rendered attributes, as strings. */
export type Rendered = Record<keyof typeof RENDERED, string>;

type Json = Record<string, unknown>;

/**
 * A file next to the stack's JSON with one output per attribute of RENDERED: the attribute's own
 * template with the references unknown at plan time replaced by their stand-ins.
 */
function standInOutputs(stackJson: Json, standIns: StandIns): object {
  const resources = stackJson.resource as Record<string, Record<string, Json>>;
  const replacements: [string, string][] = [
    ['${aws_lambda_function.migrate.arn}', standIns.functionArn],
    ['${aws_cloudwatch_log_group.lambda_logs.arn}', standIns.lambdaLogGroupArn],
  ];
  const output = Object.fromEntries(
    Object.entries(RENDERED).map(([name, [type, id, attribute]]) => {
      const template = resources[type]?.[id]?.[attribute];
      if (typeof template !== 'string') throw new Error(`${type}.${id}.${attribute} is not in the synthesized JSON`);
      return [`rehearsal_${name}`, { value: replacements.reduce((text, [ref, value]) => text.split(ref).join(value), template) }];
    }),
  );
  return { output };
}

/** A Terraform diagnostic from `-json` output. */
export interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
}

/** What `terraform plan -json` reported. */
export interface PlanRun {
  /** Warnings and errors. */
  diagnostics: Diagnostic[];
  /** The data sources the provider read, e.g. `data.aws_dynamodb_table.table[0]`. */
  dataSourcesRead: string[];
  /** The AWS API calls the provider made while planning, as IAM actions, e.g. `dynamodb:DescribeTable`. */
  providerCalls: string[];
}

/** The parts of `terraform show -json` the rehearsal reads. */
export interface PlanJson {
  planned_values: { outputs?: Record<string, { value?: unknown }> };
  resource_changes: { address: string; change: { actions: string[]; after: Json | null; after_unknown: Json } }[];
}

/** A plan read back: the JSON and the rendered attributes. */
export interface ShownPlan {
  plan: PlanJson;
  rendered: Rendered;
}

/** Copies the synthesized stack into `dir` with its variables, the provider override and the stand-ins. */
export function prepareConfiguration(stackDir: string, dir: string, variables: Record<string, string | boolean>, aws: LocalAws, standIns: StandIns): void {
  cpSync(stackDir, dir, { recursive: true });
  const stackJson = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as Json;
  writeFileSync(join(dir, 'terraform.tfvars.json'), JSON.stringify(variables, null, 2));
  writeFileSync(join(dir, 'provider_override.tf.json'), JSON.stringify(providerOverride(aws), null, 2));
  writeFileSync(join(dir, 'rehearsal_stand_ins.tf.json'), JSON.stringify(standInOutputs(stackJson, standIns), null, 2));
}

interface UiMessage {
  type?: string;
  diagnostic?: Diagnostic;
  hook?: { resource?: { addr?: string }; action?: string };
}

/** The machine-readable UI lines of a `-json` command. */
const messagesIn = (jsonLines: string): UiMessage[] =>
  jsonLines
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as UiMessage);

/** `init` and `validate` in `dir`: the configuration itself is valid, whatever the variables. */
export async function initValidate(setup: TerraformSetup, dir: string): Promise<Diagnostic[]> {
  await terraform(setup, dir, ['init', '-input=false', '-no-color']);
  const validation = JSON.parse((await terraform(setup, dir, ['validate', '-json', '-no-color'])).stdout) as { valid: boolean; diagnostics: Diagnostic[] };
  if (!validation.valid) throw new Error(`terraform validate: ${JSON.stringify(validation.diagnostics)}`);
  return validation.diagnostics;
}

/** IAM service prefixes of the SDK service names the provider logs (`rpc.service`). */
const IAM_PREFIX: Record<string, string> = { DynamoDB: 'dynamodb', STS: 'sts', SFN: 'states', Lambda: 'lambda', IAM: 'iam', 'CloudWatch Logs': 'logs' };

/** The calls in the provider's debug log: each request it sent names its service and operation. */
function callsInProviderLog(log: string): string[] {
  // A record starts with its timestamp; a request's body continues it on the following lines.
  const calls = log
    .split(/\n(?=\d{4}-\d\d-\d\dT)/)
    .filter((record) => record.includes('HTTP Request Sent'))
    .map((record) => {
      const service = /rpc\.service=(?:"([^"]+)"|(\S+))/.exec(record);
      const method = /rpc\.method=(\w+)/.exec(record)?.[1];
      const name = service?.[1] ?? service?.[2] ?? '';
      return `${IAM_PREFIX[name] ?? `unknown(${name})`}:${method}`;
    });
  return [...new Set(calls)].sort();
}

/** `init` and `plan` in a prepared configuration; the plan is saved as `rehearsal.tfplan`. */
export async function initPlan(setup: TerraformSetup, dir: string): Promise<PlanRun> {
  await terraform(setup, dir, ['init', '-input=false', '-no-color']);
  const providerLog = join(dir, 'provider.log');
  // -lock=false: planning reads the (absent) state file and must not create it.
  const { stdout } = await terraform(setup, dir, ['plan', '-input=false', '-no-color', '-lock=false', '-json', '-out=rehearsal.tfplan'], {
    TF_LOG_PROVIDER: 'DEBUG',
    TF_LOG_PATH: providerLog,
  });
  const messages = messagesIn(stdout);
  return {
    providerCalls: callsInProviderLog(readFileSync(providerLog, 'utf8')),
    diagnostics: messages.flatMap((m) => (m.type === 'diagnostic' && m.diagnostic ? [m.diagnostic] : [])),
    dataSourcesRead: messages.flatMap((m) => (m.type === 'apply_complete' && m.hook?.action === 'read' && m.hook.resource?.addr ? [m.hook.resource.addr] : [])).sort(),
  };
}

/** The saved plan as JSON, and the rendered attributes from the stand-in outputs. */
export async function showPlan(setup: TerraformSetup, dir: string): Promise<ShownPlan> {
  const plan = JSON.parse((await terraform(setup, dir, ['show', '-json', '-no-color', 'rehearsal.tfplan'])).stdout) as PlanJson;
  const outputs = plan.planned_values.outputs ?? {};
  const rendered = Object.fromEntries(
    Object.keys(RENDERED).map((name) => {
      const value = outputs[`rehearsal_${name}`]?.value;
      if (typeof value !== 'string') throw new Error(`rehearsal_${name} is still unknown after planning; a reference other than the stand-ins is only known after apply`);
      return [name, value];
    }),
  ) as Rendered;
  return { plan, rendered };
}
