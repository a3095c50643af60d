package api

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// Body is what an operation decodes from the request body.
type Body int

const (
	// NoBody refuses any body but none or {}: a client that sends one meant
	// something the operation will not do.
	NoBody Body = iota
	// OptionalBody decodes a JSON body and reads none as {}.
	OptionalBody
	// RequiredBody decodes a JSON body and refuses a request without one.
	RequiredBody
)

// Spec is what an operation declares besides its handler: infra/contract
// checks each against template.yaml (route) and openapi.yaml (operationId
// and requestBody).
type Spec struct {
	Name   string // operationId in openapi.yaml, and the log line's operation
	Method string // HTTP method of its route
	Route  string // path of its route, as template.yaml declares it
	Body   Body
	// Consistent marks a read nothing is written from, which takes
	// ?consistent=true for strongly consistent reads
	// (store.WithConsistentReads); its default is eventually consistent.
	Consistent bool
}

// Handle is an operation's handler, its service built: decode, call the
// domain, return the result.
type Handle func(ctx context.Context, r *Request) (any, error)

// Operation is one HTTP operation: its declaration, and how its handler is
// built over the store (with the service it calls) once per Lambda
// instance. It is not generic in the service: a generic instantiation with
// the service type would make the linker keep every exported method of the
// service, reachable by reflection, in every function that uses it, where
// the handler's closure keeps only those the operation calls.
type Operation struct {
	Spec
	Build func(st *store.Store) Handle
}

// Handler serves one API Gateway HTTP API (payload v2) event.
type Handler func(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse

// Bind builds the operation's handler over st and returns what serves one
// event with it: Start runs it as a Lambda, tests and local tools call it
// in process.
func (o Operation) Bind(st *store.Store, admins permission.AppAdmins) Handler {
	h := o.Build(st)
	return func(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		return serve(ctx, o.Spec, h, st, admins, ev)
	}
}
