import { Token } from 'cdktf';

const MARK = '__terraform_number_';

/**
 * JSON.stringify for values holding cdktf tokens. String tokens survive JSON.stringify on their own;
 * number tokens would be printed as their placeholder doubles, so they are written unquoted as
 * Terraform interpolations (e.g. `"TimeoutSeconds":${var.lambda_timeout + 60}`), which Terraform
 * turns into plain JSON numbers at plan time.
 */
export function jsonWithTerraformNumbers(value: unknown): string {
  const numbers: number[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && Token.isUnresolved(v) ? `${MARK}${numbers.push(v) - 1}` : v,
  );
  return text.replace(new RegExp(`"${MARK}(\\d+)"`, 'g'), (_match, index: string) => Token.asString(numbers[Number(index)]));
}
