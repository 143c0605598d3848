/**
 * The dynamodb-local project needs Java 17+ for DynamoDB Local. Without it every test of the file is
 * skipped, and the run says so and why, rather than failing on a missing JVM or passing silently.
 */
import { javaAvailable } from '../../emulators/dynamodb-local';

const java = javaAvailable();
if (!java.ok) {
  process.stderr.write(`DynamoDB Local conformance skipped for ${expect.getState().testPath ?? 'this file'}: ${java.why}\n`);
  Object.assign(globalThis, { it: it.skip, test: test.skip, describe: describe.skip });
}
