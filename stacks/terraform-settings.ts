import { LocalBackend, type TerraformStack } from 'cdktf';

/**
 * The AWS provider versions the stack works with: 5.100 (the oldest it is tested with) through 6.x.
 * The generated bindings would pin the exact provider build they were generated from.
 */
export const AWS_PROVIDER_VERSIONS = '>= 5.100.0, < 7.0.0';

/**
 * The state file as Terraform resolves it from the folder it runs in, `cdktf.out/stacks/<id>`:
 * `terraform.<id>.tfstate` next to `cdktf.out`, i.e. in the project folder. Relative, so the
 * synthesized JSON holds no path of the machine that synthesized it.
 */
export const stateFilePath = (stackId: string): string => `../../../terraform.${stackId}.tfstate`;

/** Terraform's own settings for the stack: the provider version range and the local state file. */
export function terraformSettings(stack: TerraformStack): void {
  new LocalBackend(stack, { path: stateFilePath(stack.node.id) });
  stack.addOverride('terraform.required_providers.aws.version', AWS_PROVIDER_VERSIONS);
}
