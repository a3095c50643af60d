// Command local runs Circles on one machine against the local stack
// (DynamoDB Local and moto, reached through the SDK's AWS_ENDPOINT_URL_*
// variables). The work is done by package devstack; this is its command
// line.
//
//	local token -user alice [-ttl 24h]    print a bearer token for the local API
//	local serve [-env-file F]             serve the HTTP API on 127.0.0.1:$PORT (3000): 503 until ready
//	local docs                            serve only the reference (/docs) on 127.0.0.1:$PORT
//	local build                           compile every function into .local/buildcache, where
//	                                      serve and the tests' deployments look first
//	local invoke -fn create-group -event events/create-group.json
//	                                      run one function once, like `sam local invoke`
//
//	local token -user alice -iss https://idp.example -aud my-app
//	                                      the same with the claims a deployed authorizer checks
//
// Environment: PORT, TABLE_NAME (circles), LOCAL_JWT_SECRET
// (circles-local-dev-secret); LOCAL_JWT_ISSUER and LOCAL_JWT_AUDIENCE (comma
// separated), when set, are minted into tokens and required of them, as the
// template's JwtIssuer and JwtAudience are in AWS; APP_ADMIN_USER_IDS and
// MAX_ROLES_PER_GROUP, when set, override the template's values for every
// function.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/circles-im/circles/infra/apidocs"
	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/localauth"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "token":
		err = token(args)
	case "serve":
		err = serve(ctx, args)
	case "invoke":
		err = invoke(ctx, args)
	case "docs":
		err = docs(ctx, args)
	case "build":
		err = build(ctx)
	default:
		usage()
	}
	var fe *devstack.FunctionError
	switch {
	case errors.As(err, &fe):
		os.Stdout.Write(append(fe.Payload, '\n')) //nolint:errcheck
		fmt.Fprintf(os.Stderr, "local: function failed: %v\n", fe)
		os.Exit(1)
	case err != nil:
		fmt.Fprintf(os.Stderr, "local: %v\n", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: local token -user ID [-ttl 24h] [-iss URL] [-aud A,B] | local serve [-env-file F] | local docs | local build | local invoke -fn DIR -event FILE")
	os.Exit(2)
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	auth := localauth.FromEnv()
	user := fs.String("user", "", "user ID (the sub claim)")
	ttl := fs.Duration("ttl", 24*time.Hour, "lifetime")
	iss := fs.String("iss", auth.Issuer, "the iss claim (default LOCAL_JWT_ISSUER)")
	aud := fs.String("aud", strings.Join(auth.Audience, ","), "the aud claim, comma separated (default LOCAL_JWT_AUDIENCE)")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	if *user == "" {
		return errors.New("token: -user is required")
	}
	auth.Issuer, auth.Audience = *iss, localauth.SplitList(*aud)
	tok, err := auth.Mint(*user, *ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

// deployOptions are the options shared by serve and invoke.
func deployOptions(functions ...string) devstack.DeployOptions {
	env := map[string]string{}
	for _, k := range []string{"APP_ADMIN_USER_IDS", "MAX_ROLES_PER_GROUP"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	auth := localauth.FromEnv()
	return devstack.DeployOptions{
		Table:    getenv("TABLE_NAME", devstack.DefaultTableName),
		Secret:   auth.Secret,
		Issuer:   auth.Issuer,
		Audience: auth.Audience,
		// Functions built once per source tree (.local/buildcache): a warm
		// start links nothing, which is most of a cold start's time.
		CachedBuild: true,
		Functions:   functions,
		Env:         env,
		Output:      os.Stderr,
	}
}

// build fills the build cache for this source tree and these build flags
// (GOFLAGS included), so that a later serve or test deploys without linking:
// infra/test.sh runs it while the tools install.
func build(ctx context.Context) error {
	root, err := devstack.RepoRoot()
	if err != nil {
		return err
	}
	names, err := devstack.FunctionNames(root)
	if err != nil {
		return err
	}
	_, err = devstack.BuildCached(ctx, root, names...)
	return err
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	port := fs.String("port", getenv("PORT", "3000"), "port on 127.0.0.1")
	envFile := fs.String("env-file", "", "wait for this file of `export K=V` lines (the local stack's env) and load it before deploying")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	start := startTime()

	// Claim the port first (or take it over from infra/portgate.py, which
	// claimed it before this program was built) and answer 503 until the
	// stack is ready: a request made while the functions build gets a
	// quick, retryable answer, and a second runner fails fast.
	ln, gateReady, err := listen(*port)
	if err != nil {
		return err
	}
	gate := &devstack.Gate{}
	srv := &http.Server{Handler: withDocs(gate), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	gateReady()
	stopServer := func() error {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
	fmt.Fprintf(os.Stderr, "local: http://%s answers 503 until the stack is ready\n", ln.Addr())

	if *envFile != "" {
		if err := loadEnvFile(ctx, *envFile); err != nil {
			stopServer() //nolint:errcheck // the load error is the one to report
			return err
		}
	}
	d, err := devstack.Deploy(ctx, deployOptions())
	if err != nil {
		stopServer() //nolint:errcheck // the deploy error is the one to report
		return err
	}
	defer d.Close()
	gate.Open(d.API)
	fmt.Fprintf(os.Stderr, "local: ready: Circles API on http://%s in %.1fs (table %s, %d functions; reference on http://%s/docs)\n",
		ln.Addr(), time.Since(start).Seconds(), d.Table, len(d.Functions), ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(os.Stderr, "local: stopping")
	return stopServer()
}

// withDocs serves the API reference (package apidocs) beside api. Paths
// are dispatched by hand, not by a ServeMux, which would clean and
// redirect paths the API must see as they are.
func withDocs(api http.Handler) http.Handler {
	root, err := devstack.RepoRoot()
	if err != nil {
		return api
	}
	docs := apidocs.Handler(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apidocs.Owns(r.URL.Path) {
			docs.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// startTime is when `make run` started (CIRCLES_RUN_START_MS, set by
// infra/run.sh), so that the ready line counts the stack's start and this
// program's compilation too; else now.
func startTime() time.Time {
	if ms, err := strconv.ParseInt(os.Getenv("CIRCLES_RUN_START_MS"), 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	return time.Now()
}

// loadEnvFile waits until path exists (infra/stack.sh writes it, atomically,
// once the stack answers) and sets the variables of its `export K=V`
// lines, values quoted as printf %q quotes plain strings.
func loadEnvFile(ctx context.Context, path string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
				if !ok || strings.HasPrefix(k, "#") {
					continue
				}
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				} else {
					v = strings.Trim(strings.ReplaceAll(v, `\`, ""), "'")
				}
				os.Setenv(k, v) //nolint:errcheck // a valid name
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// docs serves only the API reference (the API answers 503), for `make
// docs-check`, which needs no stack.
func docs(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("docs", flag.ExitOnError)
	port := fs.String("port", getenv("PORT", "3000"), "port on 127.0.0.1")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", *port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: withDocs(&devstack.Gate{Message: "only the reference is served here"}), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(os.Stderr, "local: the reference on http://%s/docs\n", ln.Addr())
	go func() {
		<-ctx.Done()
		srv.Close() //nolint:errcheck // stopping
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func invoke(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("invoke", flag.ExitOnError)
	fn := fs.String("fn", "", "function: directory name (create-group) or logical id (CreateGroupFunction)")
	eventFile := fs.String("event", "", "event JSON file ('-' for stdin)")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	if *fn == "" || *eventFile == "" {
		return errors.New("invoke: -fn and -event are required")
	}
	name := strings.TrimPrefix(*fn, "functions/")
	if strings.HasSuffix(name, "Function") {
		name = devstack.FunctionDir(name)
	}
	var event []byte
	var err error
	if *eventFile == "-" {
		event, err = io.ReadAll(os.Stdin)
	} else {
		event, err = os.ReadFile(*eventFile)
	}
	if err != nil {
		return err
	}

	d, err := devstack.Deploy(ctx, deployOptions(name))
	if err != nil {
		return err
	}
	defer d.Close()
	resp, err := d.Invoker.Invoke(ctx, name, event)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(resp, '\n'))
	return err
}
