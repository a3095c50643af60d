// Package store owns the DynamoDB single-table design of Circles: every key,
// every condition expression and every transaction. Invariants of SPEC §2
// are enforced here, by the database, not by read-then-write in Go.
package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/oklog/ulid/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// Store is the data access layer over one table.
type Store struct {
	db    *dynamodb.Client
	table string
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// EventRetention is how long outbox events stay readable by GetGroupChanges.
	EventRetention time.Duration
}

// New returns a store over table, using db.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table, Now: time.Now, EventRetention: 30 * 24 * time.Hour}
}

// FromEnv builds a store from the Lambda environment: TABLE_NAME, and the
// SDK's standard configuration (AWS_ENDPOINT_URL_DYNAMODB locally).
func FromEnv(ctx context.Context) (*Store, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		// Throttling is retried with backoff by the SDK; after these attempts
		// the request answers UNAVAILABLE.
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 6 })
	}))
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	s := New(dynamodb.NewFromConfig(cfg, Instrument), table)
	if d, err := strconv.Atoi(os.Getenv("EVENT_RETENTION_DAYS")); err == nil && d > 0 {
		s.EventRetention = time.Duration(d) * 24 * time.Hour
	}
	return s, nil
}

// Client exposes the DynamoDB client, for tools and tests.
func (s *Store) Client() *dynamodb.Client { return s.db }

// Table is the table name.
func (s *Store) Table() string { return s.table }

func (s *Store) nowMillis() int64 { return s.Now().UnixMilli() }

// NewID returns a new sortable identifier (ULID).
func NewID() string { return ulid.Make().String() }

// ErrRetry marks an error after which the operation re-reads and tries
// again, for example because the group changed between read and write.
var ErrRetry = errors.New("retry")

var errVersionMoved = fmt.Errorf("group version moved: %w", ErrRetry)

// IsRetryable reports whether err is a lost optimistic race worth retrying.
func IsRetryable(err error) bool { return errors.Is(err, ErrRetry) }

// Retry runs fn until it succeeds, fails for a reason other than a lost race,
// or has lost too many races; then it answers CONFLICT.
func Retry(ctx context.Context, fn func() error) error {
	const attempts = 12
	backoff := 5 * time.Millisecond
	for i := 0; ; i++ {
		err := fn()
		if !IsRetryable(err) {
			return err
		}
		if i == attempts-1 {
			return errcode.Wrap(errcode.Conflict, err, "a concurrent change won; retry")
		}
		sleep := backoff + time.Duration(rand.Int64N(int64(backoff)))
		select {
		case <-ctx.Done():
			return errcode.Wrap(errcode.Conflict, ctx.Err(), "a concurrent change won; retry")
		case <-time.After(sleep):
		}
		if backoff < 200*time.Millisecond {
			backoff *= 2
		}
	}
}

// tx collects the items of one TransactWriteItems call, each with the error
// to answer when its condition is the one that failed.
type tx struct {
	items  []types.TransactWriteItem
	onFail []func(old map[string]types.AttributeValue) error
}

func (t *tx) add(item types.TransactWriteItem, onFail func(old map[string]types.AttributeValue) error) {
	t.items = append(t.items, item)
	t.onFail = append(t.onFail, onFail)
}

func (t *tx) len() int { return len(t.items) }

// maxTxItems is DynamoDB's limit of actions in one transaction.
const maxTxItems = 100

func (s *Store) commit(ctx context.Context, t *tx) error {
	if t.len() > maxTxItems {
		return fmt.Errorf("transaction of %d items exceeds %d", t.len(), maxTxItems)
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: t.items,
		// The SDK resends the same token when it retries a call whose answer
		// was lost, so a retried commit is applied at most once.
		ClientRequestToken: aws.String(NewID()),
	})
	if err == nil {
		return nil
	}
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return t.explain(canceled, err)
	}
	return translate(err)
}

// explain turns the cancellation reasons into the precise error: the first
// item whose condition failed decides; a conflicting concurrent transaction
// is a lost race.
func (t *tx) explain(canceled *types.TransactionCanceledException, err error) error {
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
			// and DynamoDB itself documents 500s as safe to retry: the
			// operation re-reads and decides again.
			return fmt.Errorf("%w: %v", ErrRetry, err)
		}
	}
	var ce *errcode.Error
	if errors.As(err, &ce) {
		return err
	}
	return errcode.Wrap(errcode.Internal, err, "internal error")
}

func isCondFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
