package contract

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
)

// deployment is the system (or opts.Functions of it) deployed on a fresh
// table of the local stack and served over HTTP.
type deployment struct {
	ctx    context.Context
	d      *devstack.Deployment
	url    string
	secret []byte
	out    *devstack.SyncBuffer
}

// deployHTTP deploys with opts on a table named after prefix, with the
// cached build and, unless opts sets one, the secret <prefix>-test-secret.
// At cleanup the table is deleted and, if the test failed, the deployment's
// output (its tail) is logged.
func deployHTTP(t *testing.T, prefix string, timeout time.Duration, opts devstack.DeployOptions) *deployment {
	t.Helper()
	cfg := stacktest.AWSConfig(t, "DYNAMODB", "DYNAMODB_STREAMS", "SNS", "SQS")
	opts.Table = fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	if len(opts.Secret) == 0 {
		opts.Secret = []byte(prefix + "-test-secret")
	}
	out := &devstack.SyncBuffer{}
	opts.Output, opts.CachedBuild = out, true
	// The build first, on a deadline of its own: on a cold cache it compiles
	// every function, minutes on a loaded machine, which is not the time the
	// scenario is given.
	root, err := devstack.RepoRoot()
	require.NoError(t, err)
	names := opts.Functions
	if len(names) == 0 {
		names, err = devstack.FunctionNames(root)
		require.NoError(t, err)
	}
	bctx, bcancel := context.WithTimeout(context.Background(), 15*time.Minute)
	_, err = devstack.BuildCached(bctx, root, names...)
	bcancel()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	t.Cleanup(func() {
		_ = devstack.DeleteTable(context.Background(), dynamodb.NewFromConfig(cfg), opts.Table)
		if t.Failed() {
			t.Logf("deployment output (tail):\n%s", tail(out.String(), 20000))
		}
	})
	d, err := devstack.Deploy(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewServer(d.API)
	t.Cleanup(srv.Close)
	return &deployment{ctx: ctx, d: d, url: srv.URL, secret: opts.Secret, out: out}
}
