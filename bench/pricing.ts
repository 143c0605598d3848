/**
 * AWS on-demand list prices, us-east-1, in USD, as published on the date below. The one place the
 * benchmark's cost model takes prices from; update the date together with every figure.
 *
 * Sources (checked 2026-11-25):
 * - Step Functions Standard: https://aws.amazon.com/step-functions/pricing/ ($0.025 per 1,000 state transitions).
 * - Lambda: https://aws.amazon.com/lambda/pricing/ (requests $0.20 per 1M; duration arm64 $0.0000133334
 *   per GB-s, first 7.5 billion GB-s a month; x86_64 $0.0000166667).
 * - DynamoDB on-demand, Standard table class: https://aws.amazon.com/dynamodb/pricing/on-demand/
 *   ($0.625 per million write request units, $0.125 per million read request units, the prices since
 *   the 50% on-demand reduction effective 2024-11-01).
 * Free tiers are ignored: the figures are what a migration costs on an account that has used them up.
 */
export const pricing = {
  /** When these figures were read from the pages above. */
  asOf: '2026-11-25',
  region: 'us-east-1',
  stepFunctions: {
    /** Standard workflows, per state transition (retries count too). */
    perStateTransition: 0.025 / 1_000,
  },
  lambda: {
    perRequest: 0.2 / 1_000_000,
    perGbSecondArm64: 0.0000133334,
    perGbSecondX86: 0.0000166667,
  },
  dynamoDb: {
    /** One write request unit: one standard write of up to 1 KB. */
    perWriteRequestUnit: 0.625 / 1_000_000,
    /** One read request unit: one strongly consistent read of up to 4 KB, or two eventually consistent. */
    perReadRequestUnit: 0.125 / 1_000_000,
  },
} as const;
