package store_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/devstack"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

// A read DynamoDB keeps failing (after the SDK's own retries) is the
// database's trouble: UNAVAILABLE (503, retry later), never INTERNAL. Inside
// store.Retry a 500 still counts as a race worth re-reading.
func TestAReadThatKeepsFailingAnswersUnavailable(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		fault devstack.Fault
		read  func(st *store.Store) error
	}{
		{"a 500 on BatchGetItem", "BatchGetItem", devstack.ServerErrorBefore, func(st *store.Store) error {
			_, err := st.GetProfiles(context.Background(), []string{"alice"})
			return err
		}},
		{"a timeout on BatchGetItem", "BatchGetItem", devstack.TimeoutAfter, func(st *store.Store) error {
			_, err := st.GetProfiles(context.Background(), []string{"alice"})
			return err
		}},
		{"a 500 on GetItem", "GetItem", devstack.ServerErrorBefore, func(st *store.Store) error {
			_, err := st.GetGroup(context.Background(), "g1")
			return err
		}},
		{"a timeout on GetItem", "GetItem", devstack.TimeoutAfter, func(st *store.Store) error {
			_, err := st.GetGroup(context.Background(), "g1")
			return err
		}},
	}
	st := newStore(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			faults := &devstack.Faults{Pick: func(op string, _ int) devstack.Fault {
				if op == c.op {
					return c.fault
				}
				return devstack.NoFault
			}}
			faulty := store.New(dynamodb.NewFromConfig(devstack.AWSConfig(t), faults.Option), st.Table())
			err := c.read(faulty)
			require.Error(t, err)
			assert.Equal(t, errcode.Unavailable, errcode.Of(err).Code, "%v", err)
			assert.Equal(t, 1, faults.Injected()[c.fault])
		})
	}
	t.Run("inside Retry, a 500 is read again", func(t *testing.T) {
		faults := &devstack.Faults{Pick: func(op string, n int) devstack.Fault {
			if op == "GetItem" && n == 0 {
				return devstack.ServerErrorBefore
			}
			return devstack.NoFault
		}}
		faulty := store.New(dynamodb.NewFromConfig(devstack.AWSConfig(t), faults.Option), st.Table())
		err := store.Retry(context.Background(), func() error {
			_, err := faulty.GetGroup(context.Background(), "g1")
			return err
		})
		assert.Equal(t, errcode.GroupNotFound, errcode.Of(err).Code, "the second read answered")
		assert.Equal(t, 2, faults.Calls("GetItem"))
	})
}
