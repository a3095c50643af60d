// Command seed loads the fixtures the sample events in events/ name (see
// package demo) through the HTTP API: `make seed` against `make run`'s API,
// or `make seed API=https://… TOKEN_CMD=…` against a deployed stack.
//
//	seed [-api http://127.0.0.1:3000]
//
// Tokens: with TOKEN_CMD set, the shell command TOKEN_CMD, run with the user
// ID as its last argument, must print a bearer token for that user; without it, local
// tokens are minted as `make token` does (localauth.UserTokens). The fixtures need an app admin named admin
// (APP_ADMIN_USER_IDS).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/circles-im/circles/infra/demo"
	"github.com/circles-im/circles/infra/localauth"
)

func main() {
	api := flag.String("api", envOr("API", "http://127.0.0.1:"+envOr("PORT", "3000")), "the Circles API's base URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &demo.Client{BaseURL: *api, Token: localauth.UserTokens(), Log: os.Stdout}
	if err := demo.Seed(ctx, c); err != nil {
		fmt.Fprintf(os.Stderr, "seed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("seed: the fixtures of events/*.json are in place on %s\n", *api)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
