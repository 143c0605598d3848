/**
 * The AWS API calls the Lambda's code makes, read from the handlers' source: every `new XCommand(`,
 * with the IAM service prefix of the SDK package it is imported from. The IAM tests hold the policies
 * against this list, so a new call without its permission (or a permission without a call) fails them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../bundle/lambda-bundle';

/** IAM service prefixes of the SDK clients the handlers use. */
const IAM_PREFIX: Record<string, string> = { 'client-dynamodb': 'dynamodb', 'client-sfn': 'states' };

/** Every action the handlers call, e.g. `dynamodb:UpdateItem`, `states:ListExecutions`, sorted. */
export function handlerActions(handlersDir = join(projectRoot, 'handlers')): string[] {
  const actions = new Set<string>();
  for (const file of readdirSync(handlersDir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(handlersDir, file), 'utf8');
    const packageOf = new Map<string, string>();
    for (const [, names, pkg] of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([\w-]+)'/g)) {
      for (const name of names!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) packageOf.set(name, pkg!);
    }
    for (const [, command] of source.matchAll(/new (\w+)Command\(/g)) {
      const prefix = IAM_PREFIX[packageOf.get(`${command}Command`) ?? ''];
      if (!prefix) throw new Error(`${file} sends ${command}Command from a package the IAM tests do not know; add its prefix to IAM_PREFIX`);
      actions.add(`${prefix}:${command}`);
    }
  }
  return [...actions].sort();
}
