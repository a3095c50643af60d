// Command seed loads the fixtures the sample events in events/ name (see
// package demo) through the HTTP API: `make seed` against `make run`'s API,
// or `make seed API=https://… TOKEN_CMD=…` against a deployed stack.
//
//	seed [-api http://127.0.0.1:3000]
//
// Tokens: with TOKEN_CMD set, the shell command TOKEN_CMD, run with the user
// ID as its last argument, must print a bearer token for that user; without it, local
// tokens are minted with LOCAL_JWT_SECRET (circles-local-dev-secret), as
// `make token` does. The fixtures need an app admin named admin
// (APP_ADMIN_USER_IDS).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/circles-im/circles/infra/demo"
	"github.com/circles-im/circles/infra/localauth"
)

func main() {
	api := flag.String("api", envOr("API", "http://127.0.0.1:"+envOr("PORT", "3000")), "the Circles API's base URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &demo.Client{BaseURL: *api, Token: tokens(), Log: os.Stdout}
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

func tokens() func(context.Context, string) (string, error) {
	if cmd := os.Getenv("TOKEN_CMD"); cmd != "" {
		return func(ctx context.Context, user string) (string, error) {
			out, err := exec.CommandContext(ctx, "sh", "-c", cmd+` "$1"`, "token", user).Output()
			if err != nil {
				return "", fmt.Errorf("TOKEN_CMD: %w", err)
			}
			return strings.TrimSpace(string(out)), nil
		}
	}
	secret := []byte(envOr("LOCAL_JWT_SECRET", localauth.DefaultLocalSecret))
	return func(_ context.Context, user string) (string, error) {
		return localauth.Mint(secret, user, time.Hour)
	}
}
