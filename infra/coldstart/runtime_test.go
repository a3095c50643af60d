package coldstart

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheRuntimeHandsOutOneInvocationAndRecordsItsAnswer(t *testing.T) {
	rt := NewRuntime([]byte(`{"rawPath":"/x"}`))
	defer rt.Close()
	base := "http://" + rt.Addr() + "/2018-06-01/runtime/"

	resp, err := http.Get(base + "invocation/next")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, `{"rawPath":"/x"}`, string(body))
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	require.NotEmpty(t, id)
	deadline := resp.Header.Get("Lambda-Runtime-Deadline-Ms")
	assert.NotEmpty(t, deadline)
	assert.NotEmpty(t, resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"))
	select {
	case <-rt.FirstNext:
	default:
		t.Fatal("the first /next was not recorded")
	}

	// The process's next /next waits: one invocation per process.
	second := make(chan error, 1)
	go func() {
		r, err := http.Get(base + "invocation/next")
		if err == nil {
			r.Body.Close()
		}
		second <- err
	}()

	resp, err = http.Post(base+"invocation/"+id+"/response", "application/json", bytes.NewBufferString(`{"statusCode":401}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	a := <-rt.Response
	assert.False(t, a.Error)
	assert.Equal(t, `{"statusCode":401}`, a.Body)

	resp, err = http.Post(base+"invocation/other/response", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "an unknown request ID")

	rt.Close()
	select {
	case <-second:
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not release the waiting /next")
	}
}

func TestMedianIsTheMiddleOfTheSortedSample(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	assert.Equal(t, 3*time.Millisecond, Median(ms(5, 1, 3)))
	assert.Equal(t, 7*time.Millisecond, Median(ms(9, 1, 7, 3)), "the upper middle of an even sample")
	assert.Equal(t, time.Duration(0), Median(nil))
}

// The benchmark compares functions built as a deployment builds them: its
// flags are the ones infra/build-function.sh (sam build's makefile build)
// passes.
func TestFlagsAreTheDeploymentBuildsFlags(t *testing.T) {
	script, err := os.ReadFile("../build-function.sh")
	require.NoError(t, err)
	var quoted []string
	for _, f := range Flags {
		if strings.Contains(f, " ") {
			f = `"` + f + `"`
		}
		quoted = append(quoted, f)
	}
	assert.Contains(t, string(script), "go "+strings.Join(quoted, " ")+" -o ")
}

func TestParseInitTraceReadsEachPackageInitAndSkipsOtherLines(t *testing.T) {
	out := "init runtime @0.030 ms, 0.11 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas @1.2 ms, 0.73 ms clock, 586744 bytes, 3151 allocs\n" +
		"2026/12/02 01:15:18 expected AWS Lambda environment variables [AWS_LAMBDA_RUNTIME_API] are not defined\n" +
		"init broken @x ms, y ms clock, z bytes, 0 allocs\n"
	got := ParseInitTrace(out)
	assert.Equal(t, []PackageInit{
		{Package: "runtime", Clock: 110 * time.Microsecond},
		{Package: "github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas", Clock: 730 * time.Microsecond, Bytes: 586744},
	}, got)
	clock, bytes := Sum(got)
	assert.Equal(t, 840*time.Microsecond, clock)
	assert.Equal(t, int64(586744), bytes)
}
