package coldstart_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/coldstart"
	"github.com/circles-im/circles/infra/devstack"
)

// unauthenticated is an HTTP API request without a verified caller: every
// function answers it without a database call.
func unauthenticated(t testing.TB) []byte {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /groups/{groupID}/permissions", RawPath: "/groups/g1/permissions",
		PathParameters: map[string]string{"groupID": "g1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "cold-1", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/groups/g1/permissions"}},
	}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	return b
}

// noDatabase is the function environment with DynamoDB on a closed port,
// so that any database call fails the request instead of answering it.
func noDatabase(t testing.TB) []string {
	return append(coldstart.Env(t.TempDir()), "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:1")
}

func TestFunctionsStartWithoutAWSFilesAndAnswerAnUnauthenticatedRequestWithoutTheDatabase(t *testing.T) {
	root, err := devstack.RepoRoot()
	require.NoError(t, err)
	names := []string{"check-permissions", "create-group"}
	bins, err := devstack.BuildCached(context.Background(), root, names...)
	require.NoError(t, err)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			s, err := coldstart.Run(context.Background(), bins[n], noDatabase(t), unauthenticated(t))
			require.NoError(t, err)
			require.False(t, s.Answer.Error, s.Answer.Body)
			var resp events.APIGatewayV2HTTPResponse
			require.NoError(t, json.Unmarshal([]byte(s.Answer.Body), &resp))
			assert.Equal(t, 401, resp.StatusCode)
			assert.Contains(t, resp.Body, `"UNAUTHENTICATED"`)
			assert.Less(t, s.Init, s.FirstResponse)
		})
	}
}

// BenchmarkColdStart starts functions and the hello baseline 25 times each
// against the benchmark's Runtime API and reports the medians of process
// start -> first /next (init) and -> first response, their ratios to hello,
// and the binary sizes.
func BenchmarkColdStart(b *testing.B) {
	root, err := devstack.RepoRoot()
	require.NoError(b, err)
	dir := b.TempDir()
	ctx := context.Background()
	hello, err := coldstart.Build(ctx, root, "./infra/coldstart/hello", dir)
	require.NoError(b, err)
	const starts = 25
	measure := func(bin string) (init, first time.Duration, size int64) {
		var inits, firsts []time.Duration
		for range starts {
			s, err := coldstart.Run(ctx, bin, noDatabase(b), unauthenticated(b))
			require.NoError(b, err)
			inits, firsts = append(inits, s.Init), append(firsts, s.FirstResponse)
		}
		st, err := os.Stat(bin)
		require.NoError(b, err)
		return coldstart.Median(inits), coldstart.Median(firsts), st.Size()
	}
	hInit, hFirst, hSize := measure(hello)
	for _, fn := range []string{"check-permissions", "create-group", "get-group-member-list"} {
		b.Run(fn, func(b *testing.B) {
			bin, err := coldstart.Build(ctx, root, "./"+filepath.Join("functions", fn), dir)
			require.NoError(b, err)
			init, first, size := measure(bin)
			for range b.N {
			}
			b.ReportMetric(float64(init.Microseconds())/1000, "init-ms")
			b.ReportMetric(float64(first.Microseconds())/1000, "first-response-ms")
			b.ReportMetric(float64(init)/float64(hInit), "init-x-hello")
			b.ReportMetric(float64(first)/float64(hFirst), "first-response-x-hello")
			b.ReportMetric(float64(size)/float64(hSize), "binary-x-hello")
			b.ReportMetric(float64(size)/1e6, "binary-MB")
			fmt.Printf("coldstart %s: init %v (hello %v, %.2fx), first response %v (hello %v, %.2fx), binary %.1f MB (hello %.1f MB, %.2fx)\n",
				fn, init, hInit, float64(init)/float64(hInit), first, hFirst, float64(first)/float64(hFirst),
				float64(size)/1e6, float64(hSize)/1e6, float64(size)/float64(hSize))
		})
	}
}
