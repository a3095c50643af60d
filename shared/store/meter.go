package store

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter counts the DynamoDB calls a request makes and the capacity they
// consume, for the per-request log line and for the cost tests.
type Meter struct {
	mu          sync.Mutex
	calls       int
	capacity    float64
	read, write float64
	floorRead   float64
	// standalone is the write units of writes outside transactions;
	// checked the items transactions condition-checked.
	standalone float64
	checked    int
	byOp       map[string]int
}

// readOps are the operations whose units are read units; the others' are
// write units (a transaction's condition checks included).
var readOps = map[string]bool{"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "TransactGetItems": true}

type meterKey struct{}

// WithMeter returns a context whose DynamoDB calls are counted by the meter.
func WithMeter(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{byOp: map[string]int{}}
	return context.WithValue(ctx, meterKey{}, m), m
}

// Calls is the number of DynamoDB API calls made so far.
func (m *Meter) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// Capacity is the consumed capacity units reported so far.
func (m *Meter) Capacity() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.capacity
}

// ReadUnits and WriteUnits split Capacity by the kind of call: on-demand
// tables price them differently.
func (m *Meter) ReadUnits() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read
}

// WriteUnits: see ReadUnits.
func (m *Meter) WriteUnits() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.write
}

// FloorReadUnits is what the request's reads would cost as one strongly
// consistent read of each item they read or a transaction condition-checked
// (a unit per 4 KB, one for an absent item; a condition-checked item is
// counted as one, as every item the store checks is well under 4 KB), and
// queries at what they consumed: the read half of a request's floor, which
// the cost table sets beside what it consumed. A transactional read costs
// twice this; an eventually consistent one half.
func (m *Meter) FloorReadUnits() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.floorRead
}

// StandaloneWriteUnits is the write units of the writes made outside a
// transaction (the idempotency record's), and CheckedItems the items the
// transactions condition-checked: with the items a request changed, what
// its transactions cost in AWS (DynamoDB Local reports 2 units for any
// TransactWriteItems, whatever it holds).
func (m *Meter) StandaloneWriteUnits() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.standalone
}

// CheckedItems: see StandaloneWriteUnits.
func (m *Meter) CheckedItems() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checked
}

// CallsByOperation is the number of calls per DynamoDB operation name.
func (m *Meter) CallsByOperation() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.byOp))
	for k, v := range m.byOp {
		out[k] = v
	}
	return out
}

func (m *Meter) record(op string, units, floorRead float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.floorRead += floorRead
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem":
		m.standalone += units
	case "TransactWriteItems":
		m.checked += int(floorRead) // a check's floor is one read
	}
	m.calls++
	m.byOp[op]++
	m.capacity += units
	if readOps[op] {
		m.read += units
	} else {
		m.write += units
	}
}

// Instrument is a dynamodb.Options function that asks every call for its
// consumed capacity and records it on the context's Meter, if any.
func Instrument(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("circlesMeter",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				m, _ := ctx.Value(meterKey{}).(*Meter)
				if m == nil {
					return next.HandleInitialize(ctx, in)
				}
				askCapacity(in.Parameters)
				out, md, err := next.HandleInitialize(ctx, in)
				units := consumed(out.Result)
				m.record(middleware.GetOperationName(ctx), units, floorRead(in.Parameters, out.Result, units))
				return out, md, err
			}), middleware.After)
	})
}

func askCapacity(params any) {
	total := types.ReturnConsumedCapacityTotal
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = total
	}
}

func sum(cc ...types.ConsumedCapacity) float64 {
	var t float64
	for _, c := range cc {
		t += aws.ToFloat64(c.CapacityUnits)
	}
	return t
}

func consumed(result any) float64 {
	switch r := result.(type) {
	case *dynamodb.GetItemOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		return ptrSum(r.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return sum(r.ConsumedCapacity...)
	case *dynamodb.BatchWriteItemOutput:
		return sum(r.ConsumedCapacity...)
	case *dynamodb.TransactGetItemsOutput:
		return sum(r.ConsumedCapacity...)
	case *dynamodb.TransactWriteItemsOutput:
		return sum(r.ConsumedCapacity...)
	}
	return 0
}

func ptrSum(c *types.ConsumedCapacity) float64 {
	if c == nil {
		return 0
	}
	return sum(*c)
}

// floorRead is a call's part of FloorReadUnits.
func floorRead(params, result any, units float64) float64 {
	var f float64
	switch r := result.(type) {
	case *dynamodb.GetItemOutput:
		return readUnits(ItemSize(r.Item))
	case *dynamodb.BatchGetItemOutput:
		p, _ := params.(*dynamodb.BatchGetItemInput)
		asked := 0
		if p != nil {
			for _, ka := range p.RequestItems {
				asked += len(ka.Keys)
			}
		}
		for _, items := range r.Responses {
			for _, it := range items {
				f += readUnits(ItemSize(it))
				asked--
			}
		}
		for _, ka := range r.UnprocessedKeys {
			asked -= len(ka.Keys) // asked again, counted then
		}
		return f + float64(max(asked, 0))
	case *dynamodb.TransactGetItemsOutput:
		for _, it := range r.Responses {
			f += readUnits(ItemSize(it.Item))
		}
		return f
	case *dynamodb.QueryOutput, *dynamodb.ScanOutput:
		return units
	case *dynamodb.TransactWriteItemsOutput:
		if p, ok := params.(*dynamodb.TransactWriteItemsInput); ok {
			for _, it := range p.TransactItems {
				if it.ConditionCheck != nil {
					f++
				}
			}
		}
		return f
	}
	return 0
}
