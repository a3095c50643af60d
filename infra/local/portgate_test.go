package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain doubles as the runner behind the gate in the portgate test: with
// PORTGATE_HELPER_GO set, the test binary waits until that file exists (the
// build "finishing"), then takes the gate's socket over as serve does
// (listen) and answers 200 "runner" until it is killed.
func TestMain(m *testing.M) {
	if f := os.Getenv("PORTGATE_HELPER_GO"); f != "" {
		for {
			if _, err := os.Stat(f); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		ln, ready, err := listen("0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "runner") })}
		go srv.Serve(ln) //nolint:errcheck // until killed
		ready()
		select {}
	}
	os.Exit(m.Run())
}

// get answers the status and body of a request, or the error of a
// connection that failed (refused, reset).
func get(url, method, body string) (int, string, http.Header, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Close = true // a fresh connection each time: the gate closes its own
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header, err
}

// make run's port answers from its first second: infra/portgate.py holds it
// with 503s while the runner builds, then hands the very socket to the
// runner, so that no request in between is refused or reset.
func TestThePortGateAnswers503UntilTheRunnerTakesItsSocketOver(t *testing.T) {
	_, err := exec.LookPath("python3")
	require.NoError(t, err, "make run needs python3, as make test does")
	built := t.TempDir() + "/built"
	gate := exec.Command("python3", "../portgate.py", "0", os.Args[0], "-test.run=^$")
	gate.Env = append(os.Environ(), "PORTGATE_HELPER_GO="+built)
	gate.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := gate.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, gate.Start())
	exited := make(chan struct{})
	go func() { _ = gate.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-gate.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	line, err := bufio.NewReader(stderr).ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`http://127\.0\.0\.1:(\d+)`).FindStringSubmatch(line)
	require.NotNil(t, m, "the gate names its URL: %q", line)
	url := "http://127.0.0.1:" + m[1] + "/groups?groupIDs=g1"

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		status, body, hdr, err := get(url, method, `{"groupName":"`+strings.Repeat("x", 100_000)+`"}`)
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, status, method)
		assert.Equal(t, "1", hdr.Get("Retry-After"))
		assert.Equal(t, "application/json", hdr.Get("Content-Type"))
		var e struct {
			Error struct {
				Code      string `json:"code"`
				ErrCode   int    `json:"errCode"`
				Message   string `json:"message"`
				RequestID string `json:"requestId"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Equal(t, "UNAVAILABLE", e.Error.Code, "the API's envelope, as devstack.Gate answers")
		assert.Equal(t, 500, e.Error.ErrCode)
		assert.NotEmpty(t, e.Error.Message)
		assert.NotEmpty(t, e.Error.RequestID)
	}

	// A second gate on the same port gives up at once.
	second := exec.Command("python3", "../portgate.py", m[1], "true")
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v: %s", err, out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "cannot listen")

	// The build ends; requests made across the handover all get an answer.
	require.NoError(t, os.WriteFile(built, nil, 0o600))
	deadline := time.Now().Add(2 * time.Minute)
	var after int
	for after < 20 {
		status, body, _, err := get(url, http.MethodGet, "")
		require.NoError(t, err, "no connection is refused or reset across the handover")
		switch status {
		case http.StatusOK:
			assert.Equal(t, "runner", body)
			after++
		case http.StatusServiceUnavailable:
			require.Zero(t, after, "once the runner answers, the gate answers no more")
			require.True(t, time.Now().Before(deadline), "the runner took over within 2 minutes")
			time.Sleep(20 * time.Millisecond)
		default:
			t.Fatalf("unexpected status %d: %s", status, body)
		}
	}

	// The gate ends with the runner.
	require.NoError(t, syscall.Kill(-gate.Process.Pid, syscall.SIGTERM))
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("the gate outlived its runner")
	}
}
