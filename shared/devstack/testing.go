package devstack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// NoStackMessage is the failure of a test that needs the local stack but
// runs without it. Tests never skip for lack of a stack: a skipped test
// reads as a passed one in CI.
const NoStackMessage = "no local stack: run `make test`"

// RequireStack fails t unless the local stack's endpoints are configured. It
// also guarantees tests never reach real AWS: without a local endpoint the
// SDK would use the public one.
func RequireStack(t testing.TB, services ...string) {
	t.Helper()
	if len(services) == 0 {
		services = []string{"DYNAMODB"}
	}
	for _, s := range services {
		if os.Getenv("AWS_ENDPOINT_URL_"+s) == "" {
			t.Fatalf("%s (AWS_ENDPOINT_URL_%s is not set)", NoStackMessage, s)
		}
	}
}

// AWSConfig loads the SDK configuration from the environment, failing t
// unless the given services (default DYNAMODB) have a local endpoint.
func AWSConfig(t testing.TB, services ...string) aws.Config {
	t.Helper()
	RequireStack(t, services...)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("devstack: load AWS config: %v", err)
	}
	return cfg
}

// NewTable creates a fresh, uniquely named copy of the single table on the
// local DynamoDB, as template.yaml declares it, and deletes it when the test
// ends. The returned client is built from the environment (so it talks to
// the local endpoint) with optFns applied, for example to add middleware;
// the table itself is created and deleted through a plain client so that such
// middleware cannot break setup or cleanup.
func NewTable(t testing.TB, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	cfg := AWSConfig(t, "DYNAMODB")
	admin := dynamodb.NewFromConfig(cfg)
	name := uniqueName(t.Name())

	in, err := TableInput(name)
	if err != nil {
		t.Fatalf("devstack: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := createTable(ctx, admin, in); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("devstack: delete table %s: %v", name, err)
		}
	})
	// TTL is optional for tests: expired items are never relied upon to be
	// gone (DynamoDB deletes them lazily), so a local build without TTL
	// support still passes.
	if attr, err := TableTTLAttribute(); err != nil {
		t.Fatalf("devstack: %v", err)
	} else if err := enableTTL(ctx, admin, name, attr); err != nil {
		t.Logf("devstack: TTL not enabled: %v", err)
	}
	return dynamodb.NewFromConfig(cfg, optFns...), name
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// uniqueName turns a test name into a valid, unique table name
// ([A-Za-z0-9_.-]{3,255}): readable prefix for debugging, random suffix so
// parallel tests and reruns never collide.
func uniqueName(testName string) string {
	prefix := strings.Trim(nameUnsafe.ReplaceAllString(testName, "-"), "-")
	if len(prefix) > 60 {
		prefix = prefix[:60]
	}
	return "t-" + prefix + "-" + randomHex()
}

// randomHex returns 12 random hex digits.
func randomHex() string {
	return hex.EncodeToString(randomBytes(6))
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// SyncBuffer collects the output of function processes; the invoker writes
// to it from several goroutines while a test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
