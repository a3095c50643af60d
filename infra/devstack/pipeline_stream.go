package devstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// streamSource is one DynamoDB (stream) event of a function.
type streamSource struct {
	cfg       PipelineConfig
	fn        string
	streamARN string
	latest    bool // StartingPosition LATEST (else TRIM_HORIZON)
	batchSize int
	maxRetry  int // -1: until the records expire
	bisect    bool
	partial   bool
	filter    filterCriteria
	onFailure string // queue URL of DestinationConfig.OnFailure, or ""
	region    string
}

func newStreamSource(cfg PipelineConfig, f Function, ev Event) (*streamSource, error) {
	where := fmt.Sprintf("devstack: %s event %s", f.LogicalID, ev.Name)
	p := ev.Properties
	arn, err := cfg.Resolver.String(p["Stream"])
	if err != nil || arn == "" {
		return nil, fmt.Errorf("%s: Stream: %v", where, err)
	}
	s := &streamSource{cfg: cfg, fn: f.Name(), streamARN: arn, partial: reportsItemFailures(p), region: os.Getenv("AWS_REGION")}
	if s.region == "" {
		s.region = "us-east-1"
	}
	switch pos, _ := p["StartingPosition"].(string); pos {
	case "LATEST":
		s.latest = true
	case "TRIM_HORIZON":
	default:
		return nil, fmt.Errorf("%s: StartingPosition %q is not supported locally (TRIM_HORIZON or LATEST)", where, pos)
	}
	if s.batchSize, err = intProp(p, "BatchSize", 100); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if s.maxRetry, err = intProp(p, "MaximumRetryAttempts", -1); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	s.bisect, _ = p["BisectBatchOnFunctionError"].(bool)
	if s.filter, err = parseFilterCriteria(p["FilterCriteria"]); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if dest := asMap(asMap(asMap(p["DestinationConfig"])["OnFailure"]))["Destination"]; dest != nil {
		arn, err := cfg.Resolver.String(dest)
		if err != nil {
			return nil, fmt.Errorf("%s: DestinationConfig: %w", where, err)
		}
		q, ok := cfg.Bus.queueByARN(arn)
		if !ok {
			return nil, fmt.Errorf("%s: on-failure destination %s is not one of the template's queues", where, arn)
		}
		s.onFailure = q.URL
	}
	return s, nil
}

func (s *streamSource) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Log, "pipeline: %s <- stream: %s\n", s.fn, fmt.Sprintf(format, args...))
}

// shard is the reading position in one shard of the stream.
type shard struct {
	id, parent string
	iter       string
	lastSeq    string // last record handled (delivered, filtered out or discarded)
	closed     bool
	initial    bool // existed when the mapping started (LATEST applies to these)
}

// run reads the stream until ctx ends: shards in lineage order (a child only
// once its parent is read to the end), each sequentially, so the records of
// one item reach the function in order.
func (s *streamSource) run(ctx context.Context) {
	shards := map[string]*shard{}
	var order []string
	first := true
	lastDescribe := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastDescribe) > time.Second || first {
			ids, err := s.describe(ctx)
			if err != nil {
				if isCanceled(ctx, err) {
					return
				}
				s.logf("describe stream: %v", err)
				sleep(ctx, time.Second)
				continue
			}
			for _, sh := range ids {
				if _, ok := shards[sh.id]; !ok {
					sh.initial = first
					shards[sh.id] = sh
					order = append(order, sh.id)
				}
			}
			first = false
			lastDescribe = time.Now()
		}
		progressed := false
		for _, id := range order {
			sh := shards[id]
			if sh.closed {
				continue
			}
			if parent, ok := shards[sh.parent]; ok && !parent.closed {
				continue
			}
			n, err := s.readShard(ctx, sh)
			if err != nil {
				if isCanceled(ctx, err) {
					return
				}
				s.logf("shard %s: %v", sh.id, err)
			}
			progressed = progressed || n > 0
		}
		if !progressed && !sleep(ctx, s.cfg.Poll) {
			return
		}
	}
}

func (s *streamSource) describe(ctx context.Context) ([]*shard, error) {
	var out []*shard
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(s.streamARN)}
	for {
		d, err := s.cfg.Streams.DescribeStream(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, sh := range d.StreamDescription.Shards {
			out = append(out, &shard{id: aws.ToString(sh.ShardId), parent: aws.ToString(sh.ParentShardId)})
		}
		if d.StreamDescription.LastEvaluatedShardId == nil {
			return out, nil
		}
		in.ExclusiveStartShardId = d.StreamDescription.LastEvaluatedShardId
	}
}

// readShard reads one page of records and hands them to the function; it
// returns how many records the page had.
func (s *streamSource) readShard(ctx context.Context, sh *shard) (int, error) {
	if sh.iter == "" {
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(s.streamARN), ShardId: aws.String(sh.id)}
		switch {
		case sh.lastSeq != "":
			in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
			in.SequenceNumber = aws.String(sh.lastSeq)
		case s.latest && sh.initial:
			in.ShardIteratorType = types.ShardIteratorTypeLatest
		default:
			in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
		}
		it, err := s.cfg.Streams.GetShardIterator(ctx, in)
		if err != nil {
			var gone *types.ResourceNotFoundException
			if errors.As(err, &gone) {
				sh.closed = true // trimmed away
				return 0, nil
			}
			return 0, err
		}
		sh.iter = aws.ToString(it.ShardIterator)
	}
	out, err := s.cfg.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(sh.iter), Limit: aws.Int32(1000)})
	if err != nil {
		var expired *types.ExpiredIteratorException
		var trimmed *types.TrimmedDataAccessException
		if errors.As(err, &expired) || errors.As(err, &trimmed) {
			// Resume after lastSeq with a fresh iterator. (DynamoDB Local
			// also answers TrimmedDataAccess for a TRIM_HORIZON iterator of
			// a shard that has no record yet.)
			sh.iter = ""
			return 0, nil
		}
		return 0, err
	}
	if err := s.handle(ctx, sh, out.Records); err != nil {
		// Stopped mid-page (closing): the next reader resumes after lastSeq.
		sh.iter = ""
		return len(out.Records), err
	}
	if out.NextShardIterator == nil {
		sh.closed = true
	} else {
		sh.iter = aws.ToString(out.NextShardIterator)
	}
	return len(out.Records), nil
}

// handle filters records and invokes the function on batches of them, as
// the event source mapping does: a failed batch is retried (from the record
// the function reported failed, or whole; halved first with
// BisectBatchOnFunctionError) until MaximumRetryAttempts, then described to
// the on-failure destination and skipped.
func (s *streamSource) handle(ctx context.Context, sh *shard, recs []types.Record) error {
	var pending []map[string]any
	for _, r := range recs {
		m := recordJSON(r, s.streamARN, s.region)
		if s.filter.match(m) {
			pending = append(pending, m)
		} else if len(pending) == 0 {
			sh.lastSeq = aws.ToString(r.Dynamodb.SequenceNumber)
		}
	}
	attempts, limit := 0, s.batchSize
	for len(pending) > 0 {
		batch := pending[:min(len(pending), limit)]
		done, err := s.invoke(ctx, batch)
		if done > 0 {
			sh.lastSeq = seqOf(batch[done-1])
			pending = pending[done:]
		}
		if isCanceled(ctx, err) {
			return ctx.Err()
		}
		if err == nil {
			attempts, limit = 0, s.batchSize
			continue
		}
		attempts++
		rest := pending[:min(len(pending), len(batch)-done)]
		if s.maxRetry >= 0 && attempts > s.maxRetry {
			s.logf("%d record(s) discarded after %d attempts: %v", len(rest), attempts, err)
			s.sendFailure(ctx, sh, rest, attempts, err)
			sh.lastSeq = seqOf(rest[len(rest)-1])
			pending = pending[len(rest):]
			attempts, limit = 0, s.batchSize
			continue
		}
		s.logf("attempt %d failed, retrying %d record(s): %v", attempts, len(rest), err)
		if s.bisect && done == 0 && len(batch) > 1 {
			limit = (len(batch) + 1) / 2
		}
		backoff := min(100*time.Millisecond<<min(attempts, 5), 2*time.Second)
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
	}
	if len(recs) > 0 && len(pending) == 0 {
		sh.lastSeq = aws.ToString(recs[len(recs)-1].Dynamodb.SequenceNumber)
	}
	return nil
}

// invoke runs the function on batch; done counts the leading records that
// succeeded (all of them when err is nil).
func (s *streamSource) invoke(ctx context.Context, batch []map[string]any) (done int, err error) {
	payload, err := json.Marshal(map[string]any{"Records": batch})
	if err != nil {
		return 0, err
	}
	resp, err := s.cfg.Invoke(ctx, s.fn, payload)
	if err != nil {
		return 0, err
	}
	if !s.partial {
		return len(batch), nil
	}
	ids, ok := batchItemFailures(resp)
	if !ok {
		return 0, errors.New("invalid batchItemFailures")
	}
	if len(ids) == 0 {
		return len(batch), nil
	}
	// Lambda checkpoints before the lowest failed sequence number.
	first := len(batch)
	for _, id := range ids {
		i := indexOfSeq(batch, id)
		if i < 0 {
			return 0, fmt.Errorf("batchItemFailures names %s, not in the batch", id)
		}
		first = min(first, i)
	}
	return first, fmt.Errorf("the function reported record %s failed", seqOf(batch[first]))
}

func indexOfSeq(batch []map[string]any, seq string) int {
	for i, r := range batch {
		if seqOf(r) == seq {
			return i
		}
	}
	return -1
}

func seqOf(r map[string]any) string {
	s, _ := asMap(r["dynamodb"])["SequenceNumber"].(string)
	return s
}

// sendFailure writes Lambda's on-failure record for a discarded batch to the
// destination queue.
func (s *streamSource) sendFailure(ctx context.Context, sh *shard, recs []map[string]any, attempts int, cause error) {
	if s.onFailure == "" || len(recs) == 0 {
		return
	}
	msg := map[string]any{
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"requestContext": map[string]any{
			"functionArn":            fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.region, LocalAccountID, s.fn),
			"condition":              "RetryAttemptsExhausted",
			"approximateInvokeCount": attempts,
		},
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": cause.Error()},
		"DDBStreamBatchInfo": map[string]any{
			"shardId":             sh.id,
			"startSequenceNumber": seqOf(recs[0]),
			"endSequenceNumber":   seqOf(recs[len(recs)-1]),
			"batchSize":           len(recs),
			"streamArn":           s.streamARN,
		},
	}
	body, _ := json.Marshal(msg)
	if _, err := s.cfg.SQS.SendMessage(context.WithoutCancel(ctx), &sqs.SendMessageInput{QueueUrl: aws.String(s.onFailure), MessageBody: aws.String(string(body))}); err != nil {
		s.logf("on-failure destination: %v", err)
	}
}

// recordJSON renders a stream record as Lambda puts it in a DynamoDBEvent
// (which is also what filter patterns match against).
func recordJSON(r types.Record, streamARN, region string) map[string]any {
	d := r.Dynamodb
	ddb := map[string]any{
		"SequenceNumber": aws.ToString(d.SequenceNumber),
		"StreamViewType": string(d.StreamViewType),
	}
	if d.ApproximateCreationDateTime != nil {
		ddb["ApproximateCreationDateTime"] = float64(d.ApproximateCreationDateTime.Unix())
	}
	if d.SizeBytes != nil {
		ddb["SizeBytes"] = float64(*d.SizeBytes)
	}
	for name, img := range map[string]map[string]types.AttributeValue{"Keys": d.Keys, "NewImage": d.NewImage, "OldImage": d.OldImage} {
		if img != nil {
			ddb[name] = imageJSON(img)
		}
	}
	return map[string]any{
		"eventID":        aws.ToString(r.EventID),
		"eventName":      string(r.EventName),
		"eventVersion":   aws.ToString(r.EventVersion),
		"eventSource":    "aws:dynamodb",
		"awsRegion":      region,
		"eventSourceARN": streamARN,
		"dynamodb":       ddb,
	}
}

func imageJSON(img map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(img))
	for k, v := range img {
		out[k] = avJSON(v)
	}
	return out
}

// avJSON renders an attribute value in DynamoDB's JSON form ({"S": "x"}).
func avJSON(v types.AttributeValue) map[string]any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(x.Value)}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": toAnySlice(x.Value)}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": toAnySlice(x.Value)}
	case *types.AttributeValueMemberBS:
		l := make([]any, len(x.Value))
		for i, b := range x.Value {
			l[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": l}
	case *types.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = avJSON(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": imageJSON(x.Value)}
	}
	return map[string]any{"NULL": true}
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
