package devstack

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Lambda, as in AWS where the template does not say.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMemoryMB     = 128
	DefaultMaxInstances = 8
	// initTimeout is Lambda's limit on a cold start (process start until
	// the runtime's first /next).
	initTimeout = 10 * time.Second
	// maxResponse is Lambda's synchronous response payload limit.
	maxResponse = 6 << 20
)

// Error types of invocations that failed outside the handler, as Lambda
// reports them.
const (
	ErrorTypeTimeout = "Sandbox.Timedout"
	ErrorTypeExit    = "Runtime.ExitError"
	ErrorTypeInit    = "Runtime.InitError"
)

// Lambda configures one function for the Invoker.
type Lambda struct {
	Name         string            // function name, e.g. "create-group"
	Executable   string            // the built bootstrap
	Env          map[string]string // the function's environment (TABLE_NAME, ...)
	Timeout      time.Duration     // default DefaultTimeout
	MemoryMB     int               // default DefaultMemoryMB
	MaxInstances int               // concurrent instances; default DefaultMaxInstances
}

// FunctionError is an invocation that failed: the handler returned an error
// or panicked, or the process crashed (ErrorTypeExit), failed to start
// (ErrorTypeInit) or ran out of time (ErrorTypeTimeout).
type FunctionError struct {
	Type    string
	Message string
	// Payload is the error document, as Lambda's Invoke API returns it.
	Payload []byte
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

func newFunctionError(typ, msg string) *FunctionError {
	payload, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return &FunctionError{Type: typ, Message: msg, Payload: payload}
}

// Invoker runs Lambda functions as Lambda does: each instance is a real
// child process executing the function's bootstrap, talking to its own
// emulated Lambda Runtime API on a loopback port (the Runtime API's base path
// is fixed, so one listener per instance is how instances are told apart).
// Instances start on first use (cold start), stay warm, take one invocation
// at a time, and scale out to MaxInstances under concurrent invocations;
// beyond that, invocations queue. A crashed or timed-out instance is
// discarded and replaced on the next invocation.
//
// Children's stdout and stderr go to the Invoker's output, each line
// prefixed with "[name] ". Close kills every child; on Linux children are
// also killed if this process dies.
type Invoker struct {
	out *lineWriter

	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
}

// NewInvoker returns an Invoker for fns, writing their output to output
// (nil discards it). No process starts until the first Invoke.
func NewInvoker(output io.Writer, fns ...Lambda) (*Invoker, error) {
	if output == nil {
		output = io.Discard
	}
	iv := &Invoker{out: &lineWriter{w: output}, pools: map[string]*pool{}}
	for _, fn := range fns {
		if fn.Name == "" || fn.Executable == "" {
			return nil, errors.New("devstack: a Lambda needs Name and Executable")
		}
		if _, dup := iv.pools[fn.Name]; dup {
			return nil, fmt.Errorf("devstack: Lambda %s given twice", fn.Name)
		}
		if fn.Timeout <= 0 {
			fn.Timeout = DefaultTimeout
		}
		if fn.MemoryMB <= 0 {
			fn.MemoryMB = DefaultMemoryMB
		}
		if fn.MaxInstances <= 0 {
			fn.MaxInstances = DefaultMaxInstances
		}
		iv.pools[fn.Name] = &pool{cfg: fn, out: iv.out, slots: make(chan struct{}, fn.MaxInstances)}
	}
	return iv, nil
}

// Functions returns the names of the functions the Invoker runs, sorted.
func (iv *Invoker) Functions() []string {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	names := make([]string, 0, len(iv.pools))
	for n := range iv.pools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Invoke runs function name on payload (any event JSON) and returns its
// response payload. A failed invocation returns a *FunctionError. If ctx
// ends first Invoke returns ctx.Err(); the invocation itself still runs to
// completion, as in Lambda.
func (iv *Invoker) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	iv.mu.Lock()
	p, ok := iv.pools[name]
	closed := iv.closed
	iv.mu.Unlock()
	if closed {
		return nil, errors.New("devstack: invoker closed")
	}
	if !ok {
		return nil, fmt.Errorf("devstack: no function %q", name)
	}
	return p.invoke(ctx, payload)
}

// Close kills every instance and waits for the processes to exit.
func (iv *Invoker) Close() error {
	iv.mu.Lock()
	iv.closed = true
	pools := iv.pools
	iv.mu.Unlock()
	for _, p := range pools {
		p.close()
	}
	return nil
}

// pool is the set of instances of one function.
type pool struct {
	cfg   Lambda
	out   *lineWriter
	slots chan struct{} // one token per busy instance: caps concurrency

	mu     sync.Mutex
	idle   []*instance
	all    map[*instance]bool
	seq    int
	closed bool
}

type result struct {
	payload []byte
	err     error
}

func (p *pool) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-p.slots }()
		// A warm instance can die between invocations (its runtime exits
		// after reporting a panic, say). Lambda then quietly uses a fresh
		// sandbox; so do we, instead of failing an unrelated invocation.
		for attempt := 0; ; attempt++ {
			inst, err := p.take()
			if err != nil {
				done <- result{err: err}
				return
			}
			resp, err := inst.run(payload, p.cfg.Timeout)
			p.give(inst)
			if errors.Is(err, errStale) && attempt < 3 {
				continue
			}
			done <- result{resp, err}
			return
		}
	}()
	select {
	case r := <-done:
		return r.payload, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// take returns a warm instance, or starts one (a cold start).
func (p *pool) take() (*instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("devstack: invoker closed")
	}
	for len(p.idle) > 0 {
		inst := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if inst.usable() {
			return inst, nil
		}
		delete(p.all, inst)
		inst.kill()
	}
	p.seq++
	inst, err := startInstance(p.cfg, p.seq, p.out)
	if err != nil {
		return nil, err
	}
	if p.all == nil {
		p.all = map[*instance]bool{}
	}
	p.all[inst] = true
	return inst, nil
}

// give returns inst to the pool after an invocation, or forgets it if it
// died (the next invocation then cold-starts a replacement).
func (p *pool) give(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !inst.usable() || p.closed {
		delete(p.all, inst)
		inst.kill()
		return
	}
	p.idle = append(p.idle, inst)
}

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	insts := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		insts = append(insts, inst)
	}
	p.all, p.idle = nil, nil
	p.mu.Unlock()
	for _, inst := range insts {
		inst.kill()
	}
	for _, inst := range insts {
		select {
		case <-inst.exited:
		case <-time.After(5 * time.Second):
		}
	}
}

// instance is one running copy of a function: a process and the Runtime API
// listener it polls.
type instance struct {
	name    string
	timeout time.Duration
	cmd     *exec.Cmd
	srv     *http.Server
	next    chan *invocation // handed to the runtime's GET /next
	exited  chan struct{}    // closed once the process has exited
	initErr chan *FunctionError

	killed atomic.Bool // kill was called: never hand out again
	served int         // invocations dispatched; only touched by the owner

	mu      sync.Mutex
	current *invocation // dispatched, awaiting /response or /error
	exitErr error
}

// errStale is a warm instance found dead before it took the invocation.
var errStale = errors.New("devstack: instance exited between invocations")

type invocation struct {
	id      string
	payload []byte
	arn     string
	done    chan result // buffered(1): the runtime's answer
}

func startInstance(cfg Lambda, seq int, out *lineWriter) (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("devstack: runtime API listener: %w", err)
	}
	inst := &instance{
		name:    cfg.Name,
		timeout: cfg.Timeout,
		next:    make(chan *invocation),
		exited:  make(chan struct{}),
		initErr: make(chan *FunctionError, 1),
	}
	inst.srv = &http.Server{Handler: inst.routes(), ReadHeaderTimeout: 10 * time.Second}
	go inst.srv.Serve(ln) //nolint:errcheck // ends with Close

	exe, err := filepath.Abs(cfg.Executable)
	if err != nil {
		ln.Close()
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Dir = filepath.Dir(exe)
	cmd.Env = childEnv(cfg, ln.Addr().String(), seq)
	prefix := "[" + cfg.Name + "] "
	cmd.Stdout = out.prefixed(prefix)
	cmd.Stderr = out.prefixed(prefix)
	// A grandchild holding the output pipes must not block Wait forever.
	cmd.WaitDelay = time.Second
	setProcAttrs(cmd)
	if err := startProcess(cmd); err != nil {
		inst.srv.Close()
		return nil, fmt.Errorf("devstack: start %s: %w", cfg.Name, err)
	}
	inst.cmd = cmd
	go func() {
		err := cmd.Wait()
		inst.mu.Lock()
		inst.exitErr = err
		inst.mu.Unlock()
		close(inst.exited)
		inst.srv.Close()
	}()
	return inst, nil
}

// childEnv is the environment Lambda gives a provided.al2023 function: the
// reserved variables, the function's own, and (for the local stack) the
// SDK's endpoint, credential and region variables of this process.
func childEnv(cfg Lambda, runtimeAPI string, seq int) []string {
	env := map[string]string{
		"PATH": os.Getenv("PATH"),
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		// GORACE: make test builds the functions with -race and asks a
		// race to end the process (halt_on_error), failing its request.
		if strings.HasPrefix(k, "AWS_ENDPOINT_URL") || k == "GOCOVERDIR" || k == "GORACE" {
			env[k] = v
		}
		switch k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION":
			env[k] = v
		}
	}
	for k, v := range cfg.Env {
		env[k] = v
	}
	region := env["AWS_REGION"]
	if region == "" {
		region = "us-east-1"
	}
	// Reserved variables: a function cannot override these in AWS either.
	dir := filepath.Dir(cfg.Executable)
	for k, v := range map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      fmt.Sprintf("%s/[$LATEST]%032x", time.Now().UTC().Format("2006/01/02"), seq),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"LAMBDA_RUNTIME_DIR":              dir,
	} {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func (inst *instance) dead() bool {
	select {
	case <-inst.exited:
		return true
	default:
		return false
	}
}

// usable reports whether the instance may take another invocation.
func (inst *instance) usable() bool { return !inst.killed.Load() && !inst.dead() }

func (inst *instance) kill() {
	inst.killed.Store(true)
	if inst.cmd != nil && !inst.dead() {
		killProcess(inst.cmd)
	}
	inst.srv.Close()
}

// run hands one invocation to the instance and waits for its outcome. The
// caller owns the instance for the duration.
func (inst *instance) run(payload []byte, timeout time.Duration) ([]byte, error) {
	inv := &invocation{
		id:      newRequestID(),
		payload: payload,
		arn:     fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", regionOrDefault(), LocalAccountID, inst.name),
		done:    make(chan result, 1),
	}
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	select {
	case inst.next <- inv:
	case fe := <-inst.initErr:
		inst.kill()
		return nil, fe
	case <-inst.exited:
		if inst.served > 0 {
			return nil, errStale
		}
		return nil, inst.exitError(inv.id)
	case <-initTimer.C:
		inst.kill()
		return nil, newFunctionError(ErrorTypeInit, fmt.Sprintf("RequestId: %s Error: runtime did not become ready within %v", inv.id, initTimeout))
	}

	inst.served++
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-inv.done:
		return r.payload, r.err
	case <-inst.exited:
		// The runtime may report an error (a panic) and then exit: the
		// report is the better answer.
		select {
		case r := <-inv.done:
			return r.payload, r.err
		default:
		}
		return nil, inst.exitError(inv.id)
	case <-timer.C:
		// Lambda stops the sandbox of a timed-out invocation.
		inst.kill()
		return nil, newFunctionError(ErrorTypeTimeout,
			fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, timeout.Seconds()))
	}
}

func (inst *instance) exitError(requestID string) *FunctionError {
	inst.mu.Lock()
	err := inst.exitErr
	inst.mu.Unlock()
	msg := "exit status 0"
	if err != nil {
		msg = err.Error()
	}
	return newFunctionError(ErrorTypeExit, fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, msg))
}

// routes is the Runtime API, as documented at
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html.
func (inst *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", inst.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", inst.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", inst.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", inst.handleInitError)
	return mux
}

func (inst *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-inst.next:
	case <-r.Context().Done():
		return
	}
	inst.mu.Lock()
	inst.current = inv
	inst.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(inst.timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
	h.Set("Lambda-Runtime-Trace-Id", traceID())
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload) //nolint:errcheck // a broken runtime shows up as its exit
}

// finish delivers the outcome of invocation id; false if id is not the
// invocation in flight.
func (inst *instance) finish(id string, r result) bool {
	inst.mu.Lock()
	inv := inst.current
	if inv == nil || inv.id != id {
		inst.mu.Unlock()
		return false
	}
	inst.current = nil
	inst.mu.Unlock()
	inv.done <- r
	return true
}

func (inst *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	var res result
	switch {
	case err != nil:
		res.err = newFunctionError(ErrorTypeExit, "reading the response: "+err.Error())
	case len(body) > maxResponse:
		res.err = newFunctionError("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponse))
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// aws-lambda-go reports a failure while streaming the response in
		// trailers.
		res.err = trailerError(r.Trailer)
	default:
		res.payload = body
	}
	if !inst.finish(r.PathValue("id"), res) {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	if len(body) > maxResponse {
		runtimeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	}
	accepted(w)
}

func (inst *instance) handleError(w http.ResponseWriter, r *http.Request) {
	fe := readErrorDocument(r)
	if !inst.finish(r.PathValue("id"), result{err: fe}) {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	accepted(w)
}

func (inst *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	fe := readErrorDocument(r)
	if fe.Type == "" {
		fe.Type = ErrorTypeInit
	}
	select {
	case inst.initErr <- fe:
	default:
	}
	accepted(w)
}

// readErrorDocument reads the runtime's {"errorMessage", "errorType",
// "stackTrace"} body, keeping it verbatim as the payload.
func readErrorDocument(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	var doc struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &doc) != nil || !json.Valid(body) {
		return newFunctionError(r.Header.Get("Lambda-Runtime-Function-Error-Type"), string(body))
	}
	if doc.Type == "" {
		doc.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	return &FunctionError{Type: doc.Type, Message: doc.Message, Payload: body}
}

func trailerError(t http.Header) *FunctionError {
	typ := t.Get("Lambda-Runtime-Function-Error-Type")
	body, err := base64.StdEncoding.DecodeString(t.Get("Lambda-Runtime-Function-Error-Body"))
	if err != nil || !json.Valid(body) {
		return newFunctionError(typ, "error while streaming the response")
	}
	var doc struct {
		Message string `json:"errorMessage"`
	}
	_ = json.Unmarshal(body, &doc)
	return &FunctionError{Type: typ, Message: doc.Message, Payload: body}
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`) //nolint:errcheck
}

func runtimeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg}) //nolint:errcheck
}

func regionOrDefault() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return "us-east-1"
}

// newRequestID returns a random UUID, the form of Lambda's request ids.
func newRequestID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// traceID returns an X-Ray trace header of the form Lambda sends.
func traceID() string {
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", time.Now().Unix(), randomBytes(12), randomBytes(8))
}

// lineWriter serialises whole lines from many children onto one writer, so
// concurrent functions' log lines never interleave mid-line.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (lw *lineWriter) prefixed(prefix string) io.Writer {
	return &prefixWriter{lw: lw, prefix: []byte(prefix)}
}

type prefixWriter struct {
	lw     *lineWriter
	prefix []byte
	buf    []byte
}

// Write emits every complete line of p with the prefix and keeps a trailing
// partial line for the next call. exec.Cmd calls Write from one goroutine
// per stream, so buf needs no lock of its own.
func (pw *prefixWriter) Write(p []byte) (int, error) {
	pw.buf = append(pw.buf, p...)
	for {
		i := bytes.IndexByte(pw.buf, '\n')
		if i < 0 {
			break
		}
		pw.emit(pw.buf[:i+1])
		pw.buf = pw.buf[i+1:]
	}
	// A runaway line without newline is flushed rather than buffered forever.
	if len(pw.buf) > 64<<10 {
		pw.emit(append(pw.buf, '\n'))
		pw.buf = nil
	}
	return len(p), nil
}

func (pw *prefixWriter) emit(line []byte) {
	pw.lw.mu.Lock()
	defer pw.lw.mu.Unlock()
	pw.lw.w.Write(append(append([]byte{}, pw.prefix...), line...)) //nolint:errcheck // logging is best effort
}

// pids lists the process ids of the running instances (for tests).
func (iv *Invoker) pids() []int {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	var pids []int
	for _, p := range iv.pools {
		p.mu.Lock()
		for inst := range p.all {
			if inst.cmd != nil && inst.cmd.Process != nil && !inst.dead() {
				pids = append(pids, inst.cmd.Process.Pid)
			}
		}
		p.mu.Unlock()
	}
	return pids
}
