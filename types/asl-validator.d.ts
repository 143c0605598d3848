/** asl-validator ships no types; this is the part of its API the tests use. */
declare module 'asl-validator' {
  function validateAsl(definition: unknown): { isValid: boolean; errors: unknown[]; errorsText(separator?: string): string };
  export = validateAsl;
}
