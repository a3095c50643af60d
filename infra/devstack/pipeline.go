package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Pipeline drives the template's DynamoDB and SQS event sources locally as
// Lambda's event source mappings drive them in AWS, through the real
// services: it reads the table's stream with the DynamoDB Streams API
// (DescribeStream, GetShardIterator, GetRecords, following shards), applies
// the mapping's FilterCriteria, and invokes the function with a
// DynamoDBEvent batch, retrying from the record a function reports failed;
// and it receives from SQS with the queue's own visibility timeout, invokes
// the function with an SQSEvent, deletes what succeeded and leaves failures
// to reappear, so the queue's RedrivePolicy moves a poison message to its
// DLQ. Every loop stops when the pipeline is closed.
type Pipeline struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// Sources lists the event source mappings being driven, e.g.
	// "publish-events <- DynamoDB stream arn:...".
	Sources []string
}

// PipelineConfig configures StartPipeline.
type PipelineConfig struct {
	Functions []Function // the deployed functions; those with DynamoDB or SQS events are driven
	Resolver  *Resolver  // evaluates the events' Stream, Queue and destinations
	Bus       *Bus       // the local queues, to map queue ARNs to URLs
	// Invoke runs a function on an event payload (Invoker.Invoke).
	Invoke  func(ctx context.Context, name string, payload []byte) ([]byte, error)
	Streams *dynamodbstreams.Client
	SQS     *sqs.Client
	Log     io.Writer
	// Poll is how often an idle shard is read again; default 250 ms (Lambda
	// polls a shard four times a second).
	Poll time.Duration
}

// Close stops every loop and waits for the invocations in flight.
func (p *Pipeline) Close() error {
	if p == nil {
		return nil
	}
	p.cancel()
	p.wg.Wait()
	return nil
}

// StartPipeline starts driving every DynamoDB and SQS event of cfg.Functions.
func StartPipeline(ctx context.Context, cfg PipelineConfig) (*Pipeline, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	var runs []func(context.Context)
	p := &Pipeline{}
	for _, f := range cfg.Functions {
		for _, ev := range f.Events {
			switch ev.Type {
			case "DynamoDB":
				s, err := newStreamSource(cfg, f, ev)
				if err != nil {
					return nil, err
				}
				runs = append(runs, s.run)
				p.Sources = append(p.Sources, fmt.Sprintf("%s <- DynamoDB stream %s", f.Name(), s.streamARN))
			case "SQS":
				s, err := newQueueSource(cfg, f, ev)
				if err != nil {
					return nil, err
				}
				runs = append(runs, s.run)
				p.Sources = append(p.Sources, fmt.Sprintf("%s <- SQS %s", f.Name(), s.queue.Name))
			}
		}
	}
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for _, run := range runs {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			run(ctx)
		}()
	}
	return p, nil
}

// ---------------------------------------------------------------- shared

// intProp reads an integer property (YAML number or numeric string).
func intProp(p map[string]any, name string, def int) (int, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	s, ok := scalarString(v)
	if !ok {
		return 0, fmt.Errorf("%s: not a number: %s", name, compact(v))
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func reportsItemFailures(p map[string]any) bool {
	for _, t := range asSlice(p["FunctionResponseTypes"]) {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// batchItemFailures reads a function's partial batch response. ok is false
// when the response is not one (Lambda then treats the batch as failed).
func batchItemFailures(resp []byte) (ids []string, ok bool) {
	if len(resp) == 0 || string(resp) == "null" {
		return nil, true
	}
	var r struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return nil, true // not a partial batch response: a plain success
	}
	for _, f := range r.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return nil, false
		}
		ids = append(ids, *f.ItemIdentifier)
	}
	return ids, true
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func isCanceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}

// queueByARN finds a bus queue by ARN.
func (b *Bus) queueByARN(arn string) (Queue, bool) {
	for _, q := range b.Queues {
		if q.ARN == arn {
			return q, true
		}
	}
	return Queue{}, false
}

func sortedQueueNames(b *Bus) []string {
	var out []string
	for _, q := range b.Queues {
		out = append(out, q.Name)
	}
	slices.Sort(out)
	return out
}
