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
}

// Operation is one HTTP operation: its declaration, the service it calls
// (built from the store once per Lambda instance) and its handler. It is
// generic in the service so that a function binary links only the domain
// package its operation calls.
type Operation[S any] struct {
	Spec
	Service func(*store.Store) S
	Handle  func(ctx context.Context, r *Request, s S) (any, error)
}

// Endpoint is an operation whatever its service: what registries list, and
// what Start runs and the tests call in process.
type Endpoint interface {
	Describe() Spec
	// Bind builds the operation's service over st once and returns the
	// handler of one API Gateway event.
	Bind(st *store.Store, admins permission.AppAdmins) Handler
}

// Handler serves one API Gateway HTTP API (payload v2) event.
type Handler func(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse

// Describe returns the operation's declaration.
func (o Operation[S]) Describe() Spec { return o.Spec }

// Bind implements Endpoint.
func (o Operation[S]) Bind(st *store.Store, admins permission.AppAdmins) Handler {
	svc := o.Service(st)
	h := func(ctx context.Context, r *Request) (any, error) { return o.Handle(ctx, r, svc) }
	return func(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		return serve(ctx, o.Spec, h, st, admins, ev)
	}
}

// Decoding declares what an operation decodes: the handler it returns
// decodes the request body into an In (strictly, as Decode does) and only
// then calls h with it.
func Decoding[S, In any](h func(ctx context.Context, r *Request, s S, in In) (any, error)) func(context.Context, *Request, S) (any, error) {
	return func(ctx context.Context, r *Request, s S) (any, error) {
		var in In
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return h(ctx, r, s, in)
	}
}
