package notification

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/circles-im/circles/shared/awsenv"
	"github.com/circles-im/circles/shared/store"
)

var logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// Delivery defaults; the README explains the choices.
const (
	// DefaultChunkSize: 50 deliveries take about 1 s on one worker against
	// DynamoDB (two calls each), so a chunk is small next to any deadline and
	// a redelivered chunk repeats little, while a 10,000-user audience is
	// still only 200 messages (20 SendMessageBatch calls).
	DefaultChunkSize = 50
	// MaxChunkSize bounds DELIVERY_CHUNK_SIZE.
	MaxChunkSize = 1000
	// DefaultWorkers: concurrent deliveries per invocation. Each is two
	// sequential DynamoDB calls on different partitions (one per user), so
	// the pool is I/O-bound; 8 keeps a 128 MB function's connections and
	// its share of the table's throughput modest.
	DefaultWorkers = 8
	// DefaultMargin: no new delivery starts this close to the deadline. A
	// delivery is a read and a transaction (tens of ms, seconds under
	// throttling with the SDK's retries); what is in flight is cut off
	// shortly before the deadline in any case.
	DefaultMargin = 2 * time.Second
	// DefaultTxUsers: recipients per inbox transaction. One, although up
	// to store.MaxDeliverBatch fit: batching is 3.4 times faster when
	// concurrent events do not share recipients, but when they do (six
	// changes of one access list at once) every batch races the others on
	// the same counters and one race cancels the whole batch; on DynamoDB
	// Local that made the six-list scenario twice as slow. DELIVERY_TX_USERS
	// opts in where events seldom overlap.
	DefaultTxUsers = 1
)

// QueueClient is what the consumer needs of SQS (*sqs.Client).
type QueueClient interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// Service delivers and lists personal notifications.
type Service struct {
	st *store.Store
	// SQS and QueueURL are the consumer's own queue, where chunks and
	// expansions go. Without them an event is delivered in the invocation
	// that received it, however large.
	SQS      QueueClient
	QueueURL string
	// ChunkSize, Workers and Margin default to the constants above.
	ChunkSize int
	Workers   int
	Margin    time.Duration
	// TxUsers is how many recipients one inbox transaction takes: 0 is
	// DefaultTxUsers, more than store.MaxDeliverBatch is that maximum.
	TxUsers int
	// OnDelivered, when set, runs after each inbox entry this process wrote.
	OnDelivered func()
}

// NewService returns a service over st.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// ConsumerFromEnv builds the deliver-notifications consumer from the Lambda
// environment: the store's (TABLE_NAME, INBOX_RETENTION_DAYS), QUEUE_URL
// (its own queue), and optionally DELIVERY_CHUNK_SIZE, DELIVERY_WORKERS,
// DELIVERY_MARGIN_MS and DELIVERY_TX_USERS. The AWS configuration is
// loaded here, at init.
func ConsumerFromEnv(ctx context.Context) (*Service, error) {
	st, q, err := fromEnv(ctx)
	if err != nil {
		return nil, err
	}
	s := &Service{st: st, SQS: q, QueueURL: os.Getenv("QUEUE_URL")}
	if s.QueueURL == "" {
		return nil, errors.New("QUEUE_URL is not set")
	}
	s.ChunkSize = min(envInt("DELIVERY_CHUNK_SIZE"), MaxChunkSize)
	s.Workers = envInt("DELIVERY_WORKERS")
	s.Margin = time.Duration(envInt("DELIVERY_MARGIN_MS")) * time.Millisecond
	s.TxUsers = envInt("DELIVERY_TX_USERS")
	return s, nil
}

// fromEnv builds what both consumers use, from one AWS configuration of the
// environment: the table of TABLE_NAME and an SQS client.
func fromEnv(ctx context.Context) (*store.Store, *sqs.Client, error) {
	cfg, err := awsenv.Config()
	if err != nil {
		return nil, nil, fmt.Errorf("AWS configuration: %w", err)
	}
	st, err := store.FromConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	return st, sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = awsenv.Endpoint("SQS") }), nil
}

// envInt reads a positive integer setting; anything else means the default.
func envInt(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (s *Service) chunkSize() int {
	if s.ChunkSize > 0 {
		return s.ChunkSize
	}
	return DefaultChunkSize
}

func (s *Service) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return DefaultWorkers
}

func (s *Service) margin() time.Duration {
	if s.Margin > 0 {
		return s.Margin
	}
	return DefaultMargin
}
