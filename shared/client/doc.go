// Package client is the Go client of the Circles HTTP API. The typed
// operations and models (client.gen.go) are generated from openapi.yaml by
// oapi-codegen (`go generate ./...`; a test fails when they fall out of step).
// New wraps them in a transport that does what every caller would otherwise
// write by hand:
//
//   - Every request carries the bearer token of its TokenSource, asked anew
//     for each request so that a source may refresh it.
//   - Every mutating request (POST, PUT, PATCH, DELETE) carries an
//     Idempotency-Key: the caller's, or a random one made for the call. All
//     attempts of one call send the same key, so a retry never applies a
//     change twice.
//   - 503 (UNAVAILABLE, or a stack still starting), 429 (throttled) and
//     409 CONFLICT (a concurrent change won the race) are retried with
//     jittered exponential backoff, at least as long as a Retry-After asks,
//     up to Options.MaxAttempts and never past the context's deadline. Other
//     409s (GROUP_ID_EXISTS, ALREADY_IN_GROUP, ...) are answers, not races,
//     and are not retried.
//   - Any answer other than 2xx comes back as an *APIError carrying the
//     HTTP status, code, errCode, message and requestId of the error
//     envelope; the typed method then returns a nil response.
//
// All and Collect walk a list page by page through nextCursor.
package client

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../openapi.yaml
