package coldstart

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Runtime is a minimal Lambda Runtime API for one process: its first GET
// /next receives Event, later ones wait until the process goes away. It
// records when the first /next and the first response arrived.
type Runtime struct {
	Event []byte
	srv   *httptest.Server

	mu        sync.Mutex
	served    bool
	FirstNext chan time.Time
	Response  chan Answer
}

// Answer is what the process posted for the invocation.
type Answer struct {
	At    time.Time
	Error bool // posted to /error instead of /response
	Body  string
}

const requestID = "00000000-0000-0000-0000-000000000001"

// NewRuntime serves a Runtime API on a loopback port; Close stops it.
func NewRuntime(event []byte) *Runtime {
	r := &Runtime{Event: event, FirstNext: make(chan time.Time, 1), Response: make(chan Answer, 1)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (r *Runtime) Addr() string { return strings.TrimPrefix(r.srv.URL, "http://") }

// Close stops the server; a /next still waiting is released.
func (r *Runtime) Close() {
	r.srv.CloseClientConnections()
	r.srv.Close()
}

func (r *Runtime) serve(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	const base = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(req.URL.Path, base)
	switch {
	case req.Method == http.MethodGet && path == "invocation/next":
		r.mu.Lock()
		first := !r.served
		r.served = true
		r.mu.Unlock()
		if !first {
			<-req.Context().Done() // one invocation per process
			return
		}
		r.FirstNext <- now
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", requestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(now.Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:coldstart")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(r.Event)
	case req.Method == http.MethodPost && (path == "invocation/"+requestID+"/response" || path == "invocation/"+requestID+"/error"):
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		select {
		case r.Response <- Answer{At: now, Error: strings.HasSuffix(path, "/error"), Body: string(body)}:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		select {
		case r.Response <- Answer{At: now, Error: true, Body: string(body)}:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}
