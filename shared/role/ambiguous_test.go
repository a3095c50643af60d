package role_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// A transaction whose answer is lost may have committed. CreateRole picks a
// new auto ID on every attempt, so deciding again after such an answer would
// create a second role: the commit must resend the same request instead.
// The faults are injected outside the SDK's own retries, after the real
// request reached DynamoDB Local, which honours ClientRequestToken.
func TestAnAmbiguousCommitIsResentWithItsTokenAndAppliedOnce(t *testing.T) {
	after, timeout, before := stacktest.ServerErrorAfter, stacktest.TimeoutAfter, stacktest.ServerErrorBefore
	cases := []struct {
		name    string
		faults  []stacktest.Fault // of the TransactWriteItems calls, in order
		wantErr errcode.Code
	}{
		{"a 500 after the commit", []stacktest.Fault{after}, ""},
		{"a timeout after the commit", []stacktest.Fault{timeout}, ""},
		{"a 500 after the commit, then one before the resend", []stacktest.Fault{after, before}, ""},
		{"a 500 before sending", []stacktest.Fault{before}, ""},
		{"a 500 after every send: unknown outcome", []stacktest.Fault{after, after, after, after, after, after}, errcode.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.state(t)
			faults := &stacktest.Faults{Pick: func(op string, n int) stacktest.Fault {
				if op == "TransactWriteItems" && n < len(c.faults) {
					return c.faults[n]
				}
				return stacktest.NoFault
			}}
			faulty := role.NewService(store.New(dynamodb.NewFromConfig(stacktest.AWSConfig(t), faults.Option), f.st.Table()))

			_, err := faulty.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("mods"), Auths: map[string]string{}})
			if c.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, c.wantErr, errcode.Of(err).Code)
			} else {
				require.NoError(t, err)
			}
			injected := 0
			for _, n := range faults.Injected() {
				injected += n
			}
			assert.Equal(t, len(c.faults), injected, "every planned fault was injected")

			after := f.state(t)
			assert.Equal(t, before.Version+1, after.Version, "the group moved by exactly one version")
			evs, err := f.st.ListEvents(f.ctx, "g1", before.Version, 100)
			require.NoError(t, err)
			require.Len(t, evs, 1, "one outbox event")
			assert.Equal(t, event.RoleCreated, evs[0].Type)
			assert.Len(t, after.Roles.Roles, len(before.Roles.Roles)+1, "one new role, not two")
			f.assertRoleInvariant(t)
		})
	}
}
