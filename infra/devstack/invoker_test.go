package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

type echoReply struct {
	Event       json.RawMessage   `json:"event"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineIn  int64             `json:"deadlineInMs"`
	Env         map[string]string `json:"env"`
	SDKRegion   string            `json:"sdkRegion"`
}

func newEchoInvoker(t *testing.T, mutate func(*Lambda)) (*Invoker, *SyncBuffer) {
	t.Helper()
	out := &SyncBuffer{}
	fn := Lambda{Name: "echo", Executable: echoBin, Env: map[string]string{"TABLE_NAME": "t1"}, Timeout: 5 * time.Second, MaxInstances: 3}
	if mutate != nil {
		mutate(&fn)
	}
	iv, err := NewInvoker(out, fn)
	require.NoError(t, err)
	t.Cleanup(func() { iv.Close() })
	return iv, out
}

func invokeEcho(t *testing.T, iv *Invoker, event string) echoReply {
	t.Helper()
	resp, err := iv.Invoke(context.Background(), "echo", []byte(event))
	require.NoError(t, err)
	var r echoReply
	require.NoError(t, json.Unmarshal(resp, &r), string(resp))
	return r
}

func TestInvokerRunsTheFunctionWithLambdasEnvironmentAndContext(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
	iv, _ := newEchoInvoker(t, func(l *Lambda) { l.MemoryMB = 256 })

	r := invokeEcho(t, iv, `{"hello":"world"}`)
	assert.JSONEq(t, `{"hello":"world"}`, string(r.Event))
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.RequestID)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:echo", r.FunctionARN)
	assert.InDelta(t, 5000, r.DeadlineIn, 1000, "the handler's context carries the function timeout")
	assert.Equal(t, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "echo",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"_HANDLER":                        "bootstrap",
		"TABLE_NAME":                      "t1",
		"AWS_REGION":                      "us-east-1",
		"AWS_ENDPOINT_URL_DYNAMODB":       "http://127.0.0.1:1",
		"LAMBDA_TASK_ROOT":                r.Env["LAMBDA_TASK_ROOT"],
		"TOPIC_ARN":                       "",
		"APP_ADMIN_USER_IDS":              "",
	}, r.Env)
	assert.NotEmpty(t, r.Env["LAMBDA_TASK_ROOT"])
	assert.Equal(t, "us-east-1", r.SDKRegion, "the AWS SDK loads its config inside the function")
}

func TestInvokerKeepsAnInstanceWarmBetweenSequentialInvocations(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil)
	first := invokeEcho(t, iv, `{}`)
	for i := 0; i < 5; i++ {
		assert.Equal(t, first.PID, invokeEcho(t, iv, `{}`).PID)
	}
}

func TestInvokerScalesOutUnderConcurrencyUpToMaxInstancesAndQueuesBeyond(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil) // MaxInstances 3
	const n = 9
	var (
		mu   sync.Mutex
		pids = map[int]int{}
	)
	start := time.Now()
	var g errgroup.Group
	for i := 0; i < n; i++ {
		g.Go(func() error {
			resp, err := iv.Invoke(context.Background(), "echo", []byte(`{"sleepMs":300}`))
			if err != nil {
				return err
			}
			var r echoReply
			if err := json.Unmarshal(resp, &r); err != nil {
				return err
			}
			mu.Lock()
			pids[r.PID]++
			mu.Unlock()
			return nil
		})
	}
	require.NoError(t, g.Wait())
	elapsed := time.Since(start)

	assert.Len(t, pids, 3, "one instance per concurrent invocation, capped at MaxInstances")
	for pid, count := range pids {
		assert.Equal(t, 3, count, "pid %d", pid)
	}
	// 9 invocations of 300ms on 3 instances: three waves, not one.
	assert.GreaterOrEqual(t, elapsed, 900*time.Millisecond)
	assert.Less(t, elapsed, 5*time.Second)
}

func TestInvokerReportsFunctionErrors(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		wantType string
		wantMsg  string
	}{
		{"returned error", `{"error":"boom"}`, "errorString", "boom"},
		{"panic", `{"panic":true}`, "string", "panicking on purpose"},
		{"process exit", `{"crash":true}`, ErrorTypeExit, "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, out := newEchoInvoker(t, nil)
			_, err := iv.Invoke(context.Background(), "echo", []byte(tt.event))
			var fe *FunctionError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantType, fe.Type)
			assert.Contains(t, fe.Message, tt.wantMsg)
			assert.True(t, json.Valid(fe.Payload), string(fe.Payload))

			// The function still answers afterwards: after a crash, from a
			// fresh instance.
			invokeEcho(t, iv, `{}`)
			if tt.wantType == ErrorTypeExit {
				assert.Contains(t, out.String(), "[echo] crashing on purpose")
			}
		})
	}
}

func TestInvokerReplacesACrashedInstance(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil)
	before := invokeEcho(t, iv, `{}`).PID
	_, err := iv.Invoke(context.Background(), "echo", []byte(`{"crash":true}`))
	require.Error(t, err)
	after := invokeEcho(t, iv, `{}`).PID
	assert.NotEqual(t, before, after)
}

func TestInvokerTimesOutAndKillsTheInstance(t *testing.T) {
	iv, _ := newEchoInvoker(t, func(l *Lambda) { l.Timeout = 300 * time.Millisecond })
	before := invokeEcho(t, iv, `{}`).PID

	start := time.Now()
	_, err := iv.Invoke(context.Background(), "echo", []byte(`{"sleepMs":5000}`))
	var fe *FunctionError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, ErrorTypeTimeout, fe.Type)
	assert.Contains(t, fe.Message, "Task timed out after 0.30 seconds")
	assert.Less(t, time.Since(start), 2*time.Second)

	assert.NotEqual(t, before, invokeEcho(t, iv, `{}`).PID, "the timed-out instance was replaced")
}

func TestInvokerPassesFunctionOutputThroughPrefixed(t *testing.T) {
	iv, out := newEchoInvoker(t, nil)
	invokeEcho(t, iv, `{"print":"{\"level\":\"INFO\",\"msg\":\"hi\"}"}`)
	// The pipe is copied asynchronously: the line may trail the response.
	assert.Eventually(t, func() bool {
		return strings.Contains(out.String(), "[echo] {\"level\":\"INFO\",\"msg\":\"hi\"}\n")
	}, 2*time.Second, 10*time.Millisecond, out.String())
}

func TestInvokerRejectsUnknownFunctionsAndUseAfterClose(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil)
	_, err := iv.Invoke(context.Background(), "nope", []byte(`{}`))
	assert.ErrorContains(t, err, "no function")

	invokeEcho(t, iv, `{}`)
	require.NoError(t, iv.Close())
	_, err = iv.Invoke(context.Background(), "echo", []byte(`{}`))
	assert.ErrorContains(t, err, "closed")
}

func TestInvokerReturnsWhenTheCallerGivesUp(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := iv.Invoke(ctx, "echo", []byte(`{"sleepMs":1000}`))
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	// The instance finishes the abandoned invocation and serves again.
	invokeEcho(t, iv, `{}`)
}

func TestInvokerCloseKillsEveryChild(t *testing.T) {
	iv, _ := newEchoInvoker(t, nil)
	var g errgroup.Group
	for i := 0; i < 3; i++ {
		g.Go(func() error {
			_, err := iv.Invoke(context.Background(), "echo", []byte(`{"sleepMs":200}`))
			return err
		})
	}
	require.NoError(t, g.Wait())
	pids := iv.pids()
	require.Len(t, pids, 3)
	require.NoError(t, iv.Close())
	for _, pid := range pids {
		assert.False(t, processAlive(pid), "pid %d survived Close", pid)
	}
}

func TestPrefixWriterPrefixesWholeLinesOnly(t *testing.T) {
	var buf bytes.Buffer
	w := (&lineWriter{w: &buf}).prefixed("[f] ")
	for _, chunk := range []string{"par", "tial\nsecond\nthi", "rd\n"} {
		_, err := w.Write([]byte(chunk))
		require.NoError(t, err)
	}
	assert.Equal(t, "[f] partial\n[f] second\n[f] third\n", buf.String())
	assert.False(t, strings.Contains(buf.String(), "[f] \n"))
}
