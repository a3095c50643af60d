// Command quickstart runs the README's quick-start session with the Go
// client against a running API (`make run`'s by default):
//
//	go run ./infra/examples/quickstart/cmd [-api http://127.0.0.1:3000]
//
// Tokens are minted as `make token` mints them, or come from TOKEN_CMD
// (localauth.UserTokens).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/circles-im/circles/infra/examples/quickstart"
	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/shared/client"
)

func main() {
	api := flag.String("api", "http://127.0.0.1:"+envOr("PORT", "3000"), "the Circles API's base URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tokens := localauth.UserTokens()
	clientFor := func(user string) (*client.ClientWithResponses, error) {
		return client.New(*api, client.Options{Tokens: client.TokenFunc(func(ctx context.Context) (string, error) {
			return tokens(ctx, user)
		})})
	}
	if _, err := quickstart.Run(ctx, clientFor, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "quickstart: %v\n", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
