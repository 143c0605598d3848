// The dynamodb-local project: the same tests, against Amazon's DynamoDB Local (one per test file).
process.env.TEST_DYNAMODB = 'dynamodb-local';
