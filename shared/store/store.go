package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/awsenv"
	"github.com/circles-im/circles/shared/errcode"
)

// Store is the data access layer over the table, and over the inbox table
// where personal notifications live (the same table unless WithInboxTable
// names another; see inbox.go for why production keeps them apart).
type Store struct {
	db         *dynamodb.Client
	tbl        dynamo.Table
	dyn        *dynamo.DB
	table      string
	inbox      dynamo.Table
	inboxTable string
	payloads   *payloadLog // the inbox payload items this process wrote
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// EventRetention is how long outbox events stay readable by GetGroupChanges.
	EventRetention time.Duration
	// InboxRetention is how long inbox entries live; 0 means
	// DefaultInboxRetention.
	InboxRetention time.Duration
}

// New returns a store over table, using db.
func New(db *dynamodb.Client, table string) *Store {
	dyn := dynamo.NewFromIface(txClient{db})
	return &Store{db: db, dyn: dyn, tbl: dyn.Table(table), table: table, inbox: dyn.Table(table), inboxTable: table,
		payloads: &payloadLog{}, Now: time.Now, EventRetention: 30 * 24 * time.Hour}
}

// WithInboxTable keeps the inbox (entries, per-user counters and delivery
// markers) in table instead of the main table, and answers s.
func (s *Store) WithInboxTable(table string) *Store {
	s.inbox, s.inboxTable = s.dyn.Table(table), table
	return s
}

// FromEnv builds a store from the Lambda environment: TABLE_NAME,
// INBOX_TABLE_NAME (the inbox's own table; TABLE_NAME when unset), and the
// AWS configuration of the environment (awsenv; AWS_ENDPOINT_URL_DYNAMODB
// locally).
func FromEnv(ctx context.Context) (*Store, error) {
	cfg, err := awsenv.Config()
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return FromConfig(cfg)
}

// FromConfig is FromEnv with the AWS configuration given, for a function
// that builds other clients from the same one.
func FromConfig(cfg aws.Config) (*Store, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	s := New(dynamodb.NewFromConfig(cfg, Instrument, func(o *dynamodb.Options) { o.BaseEndpoint = awsenv.Endpoint("DynamoDB") }), table)
	if inbox := os.Getenv("INBOX_TABLE_NAME"); inbox != "" {
		s.WithInboxTable(inbox)
	}
	if d, err := strconv.Atoi(os.Getenv("EVENT_RETENTION_DAYS")); err == nil && d > 0 {
		s.EventRetention = time.Duration(d) * 24 * time.Hour
	}
	if d, err := strconv.Atoi(os.Getenv("INBOX_RETENTION_DAYS")); err == nil && d > 0 {
		s.InboxRetention = time.Duration(d) * 24 * time.Hour
	}
	return s, nil
}

// Client exposes the DynamoDB client, for tools and tests.
func (s *Store) Client() *dynamodb.Client { return s.db }

// Table is the table name.
func (s *Store) Table() string { return s.table }

// InboxTable is the name of the table that holds the inbox.
func (s *Store) InboxTable() string { return s.inboxTable }

func (s *Store) nowMillis() int64 { return s.Now().UnixMilli() }

// ErrRetry marks an error after which the operation re-reads and tries
// again, for example because the group changed between read and write.
var ErrRetry = errors.New("retry")

var errVersionMoved = fmt.Errorf("group version moved: %w", ErrRetry)

// IsRetryable reports whether err is a lost optimistic race worth retrying.
func IsRetryable(err error) bool { return errors.Is(err, ErrRetry) }

// Retry runs fn until it succeeds, fails for a reason other than a lost race,
// or has lost too many races; then it answers CONFLICT. It returns what the
// last run of fn returned, so the work's result needs no variable outside it.
func Retry[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	const attempts = 12
	for i := 0; ; i++ {
		out, err := fn()
		if !IsRetryable(err) {
			return out, err
		}
		var zero T
		if i == attempts-1 {
			return zero, errcode.Wrap(errcode.Conflict, err, "a concurrent change won; retry")
		}
		if werr := raceBackoff.wait(ctx, i); werr != nil {
			return zero, errcode.Wrap(errcode.Conflict, werr, "a concurrent change won; retry")
		}
	}
}

// RetryErr is Retry for work without a result.
func RetryErr(ctx context.Context, fn func() error) error {
	_, err := Retry(ctx, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// backoff is a capped exponential schedule with equal jitter: the delay
// before retry n (from 0) is drawn from [d/2, d), d = min(max, base·2ⁿ), so
// retries spread out but never come back-to-back.
type backoff struct{ base, max time.Duration }

var (
	// Lost optimistic races: from 5–10 ms up to 200–400 ms.
	raceBackoff = backoff{base: 10 * time.Millisecond, max: 400 * time.Millisecond}
	// Unprocessed keys of BatchGetItem (throttling): from 25–50 ms up to 1–2 s.
	batchBackoff = backoff{base: 50 * time.Millisecond, max: 2 * time.Second}
	// A transaction whose outcome is unknown, resent with its token.
	ambiguousBackoff = backoff{base: 40 * time.Millisecond, max: time.Second}
)

// delay is the wait before retry n, for a uniform draw u in [0, 1).
func (b backoff) delay(n int, u float64) time.Duration {
	d := b.max
	if n < 30 && b.base<<n < b.max {
		d = b.base << n
	}
	return d/2 + time.Duration(u*float64(d/2))
}

// wait sleeps before retry n, or returns the context's error first.
func (b backoff) wait(ctx context.Context, n int) error {
	t := time.NewTimer(b.delay(n, rand.Float64()))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// tx collects the writes of one transaction, each with the error to answer
// when its condition is the one that failed.
type tx struct {
	ops    []func(*dynamo.WriteTx)
	onFail []func(old Item) error
	// ref names the group change this transaction commits, if any.
	ref *changeRef
	// onCancel, when set, explains a cancelled transaction from all its
	// reasons instead of the first failed condition (see DeliverMany).
	onCancel func(reasons []types.CancellationReason) error
}

// changeRef is the group and version a change moves the group to.
type changeRef struct {
	groupID string
	version int64
}

// txOp is a write a transaction holds.
type txOp interface {
	*dynamo.Put | *dynamo.Update | *dynamo.Delete | *dynamo.ConditionCheck
}

// addTo adds op to t; onFail (nil: a lost race) explains a failure of its
// condition from the item as it was.
func addTo[O txOp](t *tx, op O, onFail func(old Item) error) {
	var enlist func(*dynamo.WriteTx)
	switch o := any(op).(type) {
	case *dynamo.Put:
		enlist = func(w *dynamo.WriteTx) { w.Put(o) }
	case *dynamo.Update:
		enlist = func(w *dynamo.WriteTx) { w.Update(o) }
	case *dynamo.Delete:
		enlist = func(w *dynamo.WriteTx) { w.Delete(o) }
	case *dynamo.ConditionCheck:
		enlist = func(w *dynamo.WriteTx) { w.Check(o) }
	}
	t.ops = append(t.ops, enlist)
	t.onFail = append(t.onFail, onFail)
}

// txLimit is DynamoDB's limit of actions in one transaction; maxTxItems
// keeps one of them for the Idempotency-Key marker (see Claim).
const (
	txLimit    = 100
	maxTxItems = txLimit - 1
)

// ambiguousSends bounds how often commit sends one transaction whose
// outcome stayed unknown.
const ambiguousSends = 6

// commit runs the transaction. Under an Idempotency-Key claim, the request's
// first transaction also marks the claim committed, atomically with the change.
//
// An answer that leaves the outcome unknown (a 500, a transaction still in
// progress, a connection lost after sending) is resent with the same
// ClientRequestToken and the same request: DynamoDB applies a token at most
// once within 10 minutes and answers the resend with the first outcome
// (a different request under the same token it refuses). Re-reading and
// deciding again instead could apply the change twice (a second auto-ID
// role, say). If it stays unknown, the answer is UNAVAILABLE, not a retry.
func (s *Store) commit(ctx context.Context, t *tx) error {
	full := &tx{ops: t.ops, onFail: t.onFail, onCancel: t.onCancel}
	claim := claimOf(ctx)
	if claim != nil && !claim.Committed() {
		full.ops, full.onFail = slices.Clip(full.ops), slices.Clip(full.onFail)
		marker, fail := s.markerItem(claim, t.ref)
		addTo(full, marker, fail)
	}
	if len(full.ops) > txLimit {
		return fmt.Errorf("transaction of %d items exceeds %d", len(full.ops), txLimit)
	}
	w := s.dyn.WriteTx().IdempotentWithToken(NewID())
	for _, enlist := range full.ops {
		enlist(w)
	}
	// Every resend is the first send's request, byte for byte (txClient).
	sendCtx := context.WithValue(ctx, sendsKey{}, &sends{})
	var err error
	for send := 0; ; send++ {
		err = w.Run(sendCtx)
		if !outcomeUnknown(ctx, err) {
			break
		}
		if send == ambiguousSends-1 || ambiguousBackoff.wait(ctx, send) != nil {
			return errcode.Wrap(errcode.Unavailable, err, "the database did not confirm the write; retry later")
		}
	}
	if err == nil {
		if claim != nil {
			claim.committed.Store(true)
		}
		return nil
	}
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return full.explain(canceled, err)
	}
	return translate(err)
}

// outcomeUnknown reports whether err leaves it open whether a transaction
// committed, while ctx still allows a resend.
func outcomeUnknown(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InternalServerError", "TransactionInProgressException":
			return true
		}
		return false
	}
	// No answer from DynamoDB at all (a connection reset or timeout after
	// the request went out): the SDK's own resends are exhausted.
	var ne net.Error
	return errors.As(err, &ne)
}

// explain turns the cancellation reasons into the precise error: the first
// item whose condition failed decides; a conflicting concurrent transaction
// is a lost race.
func (t *tx) explain(canceled *types.TransactionCanceledException, err error) error {
	if t.onCancel != nil {
		return t.onCancel(canceled.CancellationReasons)
	}
	conflict := false
	for i, r := range canceled.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ConditionalCheckFailed":
			if i < len(t.onFail) && t.onFail[i] != nil {
				return t.onFail[i](r.Item)
			}
			return errVersionMoved
		case "TransactionConflict":
			conflict = true
		case "ThrottlingError", "ProvisionedThroughputExceeded":
			return errcode.Wrap(errcode.Unavailable, err, "the database is busy; retry later")
		case "ValidationError":
			return errcode.Wrap(errcode.Internal, err, "internal error")
		}
	}
	if conflict {
		return fmt.Errorf("%w: %v", errVersionMoved, err)
	}
	return errcode.Wrap(errcode.Internal, err, "internal error")
}

// translate maps SDK errors that are not cancellations.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
			return errcode.Wrap(errcode.Unavailable, err, "the database is busy; retry later")
		case "TransactionConflictException", "TransactionInProgressException":
			return fmt.Errorf("%w: %v", errVersionMoved, err)
		case "InternalServerError":
			// DynamoDB Local answers lock timeouts under contention this way,
			// and DynamoDB itself documents 500s as safe to retry: inside
			// Retry the operation re-reads and decides again (commit resends
			// its own transactions instead); outside, it is UNAVAILABLE.
			return errcode.Wrap(errcode.Unavailable, fmt.Errorf("%w: %v", ErrRetry, err), "the database failed; retry later")
		}
	}
	var ce *errcode.Error
	if errors.As(err, &ce) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) {
		// No answer after the SDK's own resends: nothing the client did.
		return errcode.Wrap(errcode.Unavailable, err, "the database did not answer; retry later")
	}
	return errcode.Wrap(errcode.Internal, err, "internal error")
}
