package stacktest

import (
	"context"
	"net"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Fault is a failure Faults injects into one DynamoDB call.
type Fault int

const (
	NoFault Fault = iota
	// Throttled answers ThrottlingException without sending the request.
	Throttled
	// ServerErrorBefore answers InternalServerError without sending it.
	ServerErrorBefore
	// ServerErrorAfter sends the request, lets DynamoDB apply it, and then
	// answers InternalServerError: the caller cannot tell it committed.
	ServerErrorAfter
	// TimeoutAfter sends the request, lets DynamoDB apply it, and then
	// answers a network timeout, as a connection lost before the answer.
	TimeoutAfter
	// Unprocessed answers a BatchGetItem with every key unprocessed, as
	// DynamoDB does when it throttles a batch.
	Unprocessed
)

var faultNames = [...]string{"none", "throttled", "500 before sending", "500 after committing", "timeout after sending", "keys unprocessed"}

func (f Fault) String() string { return faultNames[f] }

// Faults injects failures into a DynamoDB client's calls, for tests: pass
// its Option to NewTable (or dynamodb.NewFromConfig). It sits outside the
// SDK's own retries, so an injected fault is what the caller sees after the
// SDK gave up, exactly as when DynamoDB keeps failing. Pick chooses the
// fault of each call from the operation name and the call's number (from 0)
// among that operation's calls.
type Faults struct {
	Pick func(op string, n int) Fault

	mu       sync.Mutex
	calls    map[string]int
	injected map[Fault]int
}

// Injected counts the faults injected so far, by kind.
func (f *Faults) Injected() map[Fault]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Fault]int, len(f.injected))
	for k, v := range f.injected {
		out[k] = v
	}
	return out
}

// Calls is how many calls of op went through so far.
func (f *Faults) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *Faults) pick(op string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls, f.injected = map[string]int{}, map[Fault]int{}
	}
	n := f.calls[op]
	f.calls[op]++
	fault := NoFault
	if f.Pick != nil {
		fault = f.Pick(op, n)
	}
	if fault != NoFault {
		f.injected[fault]++
	}
	return fault
}

// Option installs the injection on a client's options.
func (f *Faults) Option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("circlesFaults",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				fault := f.pick(middleware.GetOperationName(ctx))
				switch fault {
				case Throttled:
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "injected", Fault: smithy.FaultClient}
				case ServerErrorBefore:
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "InternalServerError", Message: "injected before sending", Fault: smithy.FaultServer}
				}
				out, md, err := next.HandleInitialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				switch fault {
				case ServerErrorAfter:
					return middleware.InitializeOutput{}, md, &smithy.GenericAPIError{Code: "InternalServerError", Message: "injected after the request was applied", Fault: smithy.FaultServer}
				case TimeoutAfter:
					return middleware.InitializeOutput{}, md, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
				case Unprocessed:
					if get, ok := in.Parameters.(*dynamodb.BatchGetItemInput); ok {
						out.Result = &dynamodb.BatchGetItemOutput{UnprocessedKeys: get.RequestItems}
					}
				}
				return out, md, nil
			}), middleware.Before)
	})
}
