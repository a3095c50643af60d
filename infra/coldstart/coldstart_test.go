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

// coldStartFunctions are the functions BenchmarkColdStart measures: a read
// of the channel domain, a write and a list of the group domain, and the
// inbox.
var coldStartFunctions = []string{"check-permissions", "create-group", "get-group-member-list", "get-my-notifications"}

// subject is one binary BenchmarkColdStart starts, with what it measured.
type subject struct {
	name, pkg, bin string
	size           int64
	inits, firsts  []time.Duration
	packages       []coldstart.PackageInit
}

func (s *subject) init() time.Duration  { return coldstart.Median(s.inits) }
func (s *subject) first() time.Duration { return coldstart.Median(s.firsts) }

// BenchmarkColdStart starts each function and two baselines 25 times
// against the benchmark's Runtime API, in rounds that start each binary
// once, so that the load of a shared machine falls on all of them alike. It
// reports the medians of process start -> first /next (init) and -> first
// response, and the binary sizes, as ratios to hello (an aws-lambda-go
// handler that does nothing) and to floor (hello with the DynamoDB client
// and guregu/dynamo, which every function that reads the table links),
// beside sdkimport (hello that only imports the DynamoDB client's package,
// the least a binary that links guregu/dynamo can cost), and
// each binary's package inits (GODEBUG=inittrace=1, medians of 15 runs).
func BenchmarkColdStart(b *testing.B) {
	root, err := devstack.RepoRoot()
	require.NoError(b, err)
	dir := b.TempDir()
	ctx := context.Background()
	subjects := []*subject{
		{name: "hello", pkg: "./infra/coldstart/hello"},
		{name: "sdkimport", pkg: "./infra/coldstart/sdkimport"},
		{name: "floor", pkg: "./infra/coldstart/floor"},
	}
	for _, fn := range coldStartFunctions {
		subjects = append(subjects, &subject{name: fn, pkg: "./" + filepath.Join("functions", fn)})
	}
	for _, s := range subjects {
		s.bin, err = coldstart.Build(ctx, root, s.pkg, dir)
		require.NoError(b, err)
		st, err := os.Stat(s.bin)
		require.NoError(b, err)
		s.size = st.Size()
		s.packages, err = coldstart.InitTrace(ctx, s.bin, noDatabase(b), 15)
		require.NoError(b, err)
	}
	loadBefore := coldstart.LoadAverage()
	const starts = 25
	for range starts {
		for _, s := range subjects {
			st, err := coldstart.Run(ctx, s.bin, noDatabase(b), unauthenticated(b))
			require.NoError(b, err)
			s.inits, s.firsts = append(s.inits, st.Init), append(s.firsts, st.FirstResponse)
		}
	}
	load := loadBefore + " → " + coldstart.LoadAverage()
	hello, sdkimport, floor := subjects[0], subjects[1], subjects[2]
	for _, s := range subjects {
		clock, bytes := coldstart.Sum(s.packages)
		fmt.Printf("coldstart %s: package inits %v, %d KB; costliest:", s.name, clock.Round(time.Microsecond), bytes/1000)
		for _, p := range s.packages[:min(6, len(s.packages))] {
			fmt.Printf(" %s %v %d KB;", p.Package, p.Clock, p.Bytes/1000)
		}
		fmt.Println()
	}
	for _, s := range subjects[1:] {
		b.Run(s.name, func(b *testing.B) {
			for range b.N {
			}
			b.ReportMetric(float64(s.init().Microseconds())/1000, "init-ms")
			b.ReportMetric(float64(s.first().Microseconds())/1000, "first-response-ms")
			b.ReportMetric(float64(s.size)/1e6, "binary-MB")
			b.ReportMetric(float64(s.init())/float64(hello.init()), "init-x-hello")
			b.ReportMetric(float64(s.first())/float64(hello.first()), "first-response-x-hello")
			b.ReportMetric(float64(s.size)/float64(hello.size), "binary-x-hello")
			line := fmt.Sprintf("coldstart %s (load %s): init %v (%.2fx hello %v", s.name, load, s.init(), float64(s.init())/float64(hello.init()), hello.init())
			if s != floor && s != sdkimport {
				b.ReportMetric(float64(s.init())/float64(floor.init()), "init-x-floor")
				b.ReportMetric(float64(s.first())/float64(floor.first()), "first-response-x-floor")
				b.ReportMetric(float64(s.size)/float64(floor.size), "binary-x-floor")
				b.ReportMetric(float64(s.init())/float64(sdkimport.init()), "init-x-sdkimport")
				line += fmt.Sprintf(", %.2fx floor %v, %.2fx sdkimport %v", float64(s.init())/float64(floor.init()), floor.init(),
					float64(s.init())/float64(sdkimport.init()), sdkimport.init())
			}
			if b.N > 1 {
				return // printed once, when the framework first ran it with N = 1
			}
			fmt.Printf("%s), first response %v (%.2fx hello %v), binary %.1f MB (%.2fx hello %.1f MB)\n", line,
				s.first(), float64(s.first())/float64(hello.first()), hello.first(),
				float64(s.size)/1e6, float64(s.size)/float64(hello.size), float64(hello.size)/1e6)
		})
	}
}
