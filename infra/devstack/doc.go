// Package devstack runs Circles on one machine, against the same real
// services the Lambda code talks to in AWS: DynamoDB Local and moto (SNS/SQS).
//
// Everything it knows about the deployed system it reads from template.yaml,
// so the local stack cannot drift from what `sam deploy` creates:
//
//   - TableInput, EnsureTable and CreateTable create the single table exactly
//     as Resources.Table declares it (keys, GSIs, stream, TTL); package
//     stacktest builds a fresh one per test on them.
//   - Routes and Functions list the Lambda functions and their events.
//   - Messaging creates the SNS topics, SQS queues (with DLQ redrive) and
//     subscriptions (with filter policies) on moto.
//   - Build compiles functions/<dir> into bootstrap executables, Invoker runs
//     them as real child processes behind an emulated Lambda Runtime API, and
//     NewAPI serves them as API Gateway's HTTP API (payload format 2.0) with an
//     HS256 JWT authorizer would (iss and aud too, when configured).
//   - Gate holds the API's port while the stack starts: every request gets
//     503 UNAVAILABLE with Retry-After at once until the API is ready.
//   - StartPipeline (started by Deploy) drives the functions' DynamoDB
//     stream and SQS event sources as Lambda's event source mappings do:
//     Streams API polling with FilterCriteria, partial batch failures,
//     retries and on-failure destinations; SQS receives with the queue's
//     visibility timeout, deletes of what succeeded, redrive to the DLQ.
//
// It is no part of what the Lambdas run: it lives under infra/ and only the
// local runner (infra/local) and tests import it.
//
// Endpoints and credentials come only from the AWS SDK's standard environment
// variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SNS, ...), like the
// functions themselves.
package devstack
