package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// A read DynamoDB keeps failing (after the SDK's own retries) is the
// database's trouble: UNAVAILABLE (503, retry later), never INTERNAL. Inside
// store.Retry a 500 still counts as a race worth re-reading.
func TestAReadThatKeepsFailingAnswersUnavailable(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		fault stacktest.Fault
		read  func(st *store.Store) error
	}{
		{"a 500 on BatchGetItem", "BatchGetItem", stacktest.ServerErrorBefore, func(st *store.Store) error {
			_, err := st.GetProfiles(context.Background(), []string{"alice"})
			return err
		}},
		{"a timeout on BatchGetItem", "BatchGetItem", stacktest.TimeoutAfter, func(st *store.Store) error {
			_, err := st.GetProfiles(context.Background(), []string{"alice"})
			return err
		}},
		{"a 500 on GetItem", "GetItem", stacktest.ServerErrorBefore, func(st *store.Store) error {
			_, err := st.GetGroup(context.Background(), "g1")
			return err
		}},
		{"a timeout on GetItem", "GetItem", stacktest.TimeoutAfter, func(st *store.Store) error {
			_, err := st.GetGroup(context.Background(), "g1")
			return err
		}},
	}
	st := newStore(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			faults := &stacktest.Faults{Pick: func(op string, _ int) stacktest.Fault {
				if op == c.op {
					return c.fault
				}
				return stacktest.NoFault
			}}
			faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), st.Table())
			err := c.read(faulty)
			require.Error(t, err)
			assert.Equal(t, errcode.Unavailable, errcode.Of(err).Code, "%v", err)
			assert.Equal(t, 1, faults.Injected()[c.fault])
		})
	}
	t.Run("inside Retry, a 500 is read again", func(t *testing.T) {
		faults := &stacktest.Faults{Pick: func(op string, n int) stacktest.Fault {
			if op == "GetItem" && n == 0 {
				return stacktest.ServerErrorBefore
			}
			return stacktest.NoFault
		}}
		faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), st.Table())
		err := store.RetryErr(context.Background(), func() error {
			_, err := faulty.GetGroup(context.Background(), "g1")
			return err
		})
		assert.Equal(t, errcode.GroupNotFound, errcode.Of(err).Code, "the second read answered")
		assert.Equal(t, 2, faults.Calls("GetItem"))
	})
}

// Keys DynamoDB leaves unprocessed are asked again after a backoff, a
// bounded number of times, and never past the caller's deadline.
func TestBatchGetAsksUnprocessedKeysAgainBoundedAndWithinTheDeadline(t *testing.T) {
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob")
	unprocessed := func(first int) *stacktest.Faults {
		return &stacktest.Faults{Pick: func(op string, n int) stacktest.Fault {
			if op == "BatchGetItem" && n < first {
				return stacktest.Unprocessed
			}
			return stacktest.NoFault
		}}
	}

	t.Run("twice, then answered", func(t *testing.T) {
		faults := unprocessed(2)
		faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), st.Table())
		ps, err := faulty.GetProfiles(context.Background(), []string{"alice", "bob"})
		require.NoError(t, err)
		assert.Len(t, ps, 2)
		assert.Equal(t, 3, faults.Calls("BatchGetItem"))
	})
	t.Run("every time: UNAVAILABLE after a bounded number of calls", func(t *testing.T) {
		faults := unprocessed(1 << 30)
		faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), st.Table())
		_, err := faulty.GetProfiles(context.Background(), []string{"alice", "bob"})
		assert.Equal(t, errcode.Unavailable, errcode.Of(err).Code, "%v", err)
		assert.Equal(t, 8, faults.Calls("BatchGetItem"))
	})
	t.Run("every time, with a deadline: it stops at the deadline", func(t *testing.T) {
		faults := unprocessed(1 << 30)
		faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), st.Table())
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := faulty.GetProfiles(ctx, []string{"alice", "bob"})
		assert.Equal(t, errcode.Unavailable, errcode.Of(err).Code, "%v", err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, faults.Calls("BatchGetItem"), 8, "the backoff (≥ 25+50+100 ms for 4 calls) reached the deadline first")
	})
}

// A transaction whose outcome stayed unknown is resent as the very request
// first sent. guregu builds the request anew on each send and lists an
// update's ADD clauses in map order, and DynamoDB refuses a token it has
// seen with a different request (IdempotentParameterMismatchException),
// which once answered an access list change of users and roles with 500.
// Each round's first send is applied and answered with a 500 or a timeout.
// A rebuilt request differs only sometimes (map order), so the test also
// checks that the resend is the first request itself, which a rebuilt one
// never is.
func TestAResendAfterAnUnknownOutcomeIsTheFirstRequestAndAppliesOnce(t *testing.T) {
	ctx := context.Background()
	st, _, ch := channelGroup(t)
	faults := &stacktest.Faults{Pick: func(op string, n int) stacktest.Fault {
		switch {
		case op != "TransactWriteItems" || n%2 == 1:
			return stacktest.NoFault
		case n%4 == 0:
			return stacktest.ServerErrorAfter
		default:
			return stacktest.TimeoutAfter
		}
	}}
	var sent []*dynamodb.TransactWriteItemsInput // every TransactWriteItems request, in order
	record := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("recordTx",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if tx, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
						sent = append(sent, tx)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
	faulty := store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), record, faults.Option), st.Table())
	var users, roles []string
	for round := range 8 {
		fresh, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		chNow, err := st.GetChannel(ctx, "g1", ch.ChannelID)
		require.NoError(t, err)
		before := fresh.Version // the store moves fresh along with its write
		u, r := fmt.Sprintf("u%d", round), fmt.Sprintf("r%d", round)
		_, err = faulty.UpdateChannelAccess(ctx, fresh, chNow, true, []string{u}, []string{r}, event.New(event.ChannelAccessListUpdate, "alice", nil))
		require.NoError(t, err, "round %d", round)
		users, roles = append(users, u), append(roles, r)

		after, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		assert.Equal(t, before+1, after.Version, "round %d: applied once", round)
	}
	got, err := st.GetChannel(ctx, "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.ElementsMatch(t, users, got.Users)
	assert.ElementsMatch(t, roles, got.Roles)
	assert.Equal(t, 16, faults.Calls("TransactWriteItems"), "each round: the first send and one resend")
	require.Len(t, sent, 16)
	for i := 0; i < len(sent); i += 2 {
		assert.Same(t, sent[i], sent[i+1], "round %d: the resend is the first request", i/2)
	}
	assert.Equal(t, 4, faults.Injected()[stacktest.ServerErrorAfter])
	assert.Equal(t, 4, faults.Injected()[stacktest.TimeoutAfter])
}
