// Package api adapts API Gateway HTTP API (payload v2) events to the domain:
// identity from the JWT authorizer's claims, strict JSON decoding, the error
// model, Idempotency-Key and one JSON log line per request. An operation is a
// value (Operation: its Spec and how its handler is built over the store),
// which Start runs as a Lambda and Bind serves in process; shared/ops lists
// them.
//
// Its rules:
//   - The caller is the sub claim that API Gateway's JWT authorizer (or, on
//     one machine, the local API) verified; nothing else names the actor.
//     App admins are the user IDs of APP_ADMIN_USER_IDS.
//   - A request body is JSON with camelCase fields; unknown fields, wrong
//     types and trailing data are INVALID_ARGUMENT. An operation declared
//     with NoBody accepts none or {} only; one with RequiredBody refuses none.
//   - An Idempotency-Key is scoped to the caller: the same key and request
//     within 24 h replays the first response, another request with it is
//     IDEMPOTENCY_MISMATCH, and once something committed the key never runs
//     the operation again, even if the Lambda died before storing the
//     response.
//   - Errors answer with errcode's status and envelope; each request writes
//     one JSON log line (requestId, operation, actor, groupID, duration,
//     DynamoDB calls and capacity, status, outcome), never a token or a body.
package api
