// Command local runs Circles on one machine against the local stack
// (DynamoDB Local and moto, reached through the SDK's AWS_ENDPOINT_URL_*
// variables). The work is done by package devstack; this is its command
// line.
//
//	local token -user alice [-ttl 24h]    print a bearer token for the local API
//	local serve                           serve the HTTP API on 127.0.0.1:$PORT (3000)
//	local invoke -fn create-group -event events/create-group.json
//	                                      run one function once, like `sam local invoke`
//
// Environment: PORT, TABLE_NAME (circles), LOCAL_JWT_SECRET
// (circles-local-dev-secret); APP_ADMIN_USER_IDS and MAX_ROLES_PER_GROUP,
// when set, override the template's values for every function.
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
	"strings"
	"syscall"
	"time"

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
	fmt.Fprintln(os.Stderr, "usage: local token -user ID [-ttl 24h] | local serve | local invoke -fn DIR -event FILE")
	os.Exit(2)
}

func secret() []byte {
	if s := os.Getenv("LOCAL_JWT_SECRET"); s != "" {
		return []byte(s)
	}
	return []byte(localauth.DefaultLocalSecret)
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	user := fs.String("user", "", "user ID (the sub claim)")
	ttl := fs.Duration("ttl", 24*time.Hour, "lifetime")
	fs.Parse(args) //nolint:errcheck // ExitOnError
	if *user == "" {
		return errors.New("token: -user is required")
	}
	tok, err := localauth.Mint(secret(), *user, *ttl)
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
	return devstack.DeployOptions{
		Table:     getenv("TABLE_NAME", devstack.DefaultTableName),
		Secret:    secret(),
		Functions: functions,
		Env:       env,
		Output:    os.Stderr,
	}
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	port := fs.String("port", getenv("PORT", "3000"), "port on 127.0.0.1")
	fs.Parse(args) //nolint:errcheck // ExitOnError

	// Claim the port before the slow part, so a second runner fails fast.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", *port))
	if err != nil {
		return err
	}
	d, err := devstack.Deploy(ctx, deployOptions())
	if err != nil {
		ln.Close()
		return err
	}
	defer d.Close()

	srv := &http.Server{Handler: d.API, ReadHeaderTimeout: 10 * time.Second}
	names := make([]string, len(d.Functions))
	for i, f := range d.Functions {
		names[i] = f.Name
	}
	fmt.Fprintf(os.Stderr, "local: table %s; functions %s\nlocal: Circles API on http://%s (Ctrl-C stops)\n",
		d.Table, strings.Join(names, ", "), ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(os.Stderr, "local: stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
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
