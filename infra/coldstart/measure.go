package coldstart

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// Flags are the function build flags (infra/build-function.sh).
var Flags = []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

// Build compiles the main package pkg (e.g. ./functions/check-permissions)
// of the module at root into dir with Flags, for this machine, and answers
// the binary's path.
func Build(ctx context.Context, root, pkg, dir string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", append(slices.Clone(Flags), "-o", out, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return out, nil
}

// Start is one cold start: from just before the process started to its
// first GET /next (Init) and to its first response (FirstResponse).
type Start struct {
	Init, FirstResponse time.Duration
	Answer              Answer
}

// Env is the environment a function gets here: Lambda's variables, a table
// name and static credentials, and a HOME with no AWS files (Lambda has
// none).
func Env(home string) []string {
	return []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=coldstart", "AWS_SECRET_ACCESS_KEY=coldstart", "AWS_SESSION_TOKEN=coldstart",
		"AWS_LAMBDA_FUNCTION_NAME=coldstart", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"TABLE_NAME=coldstart",
	}
}

// Run starts bin once against a fresh Runtime serving event and measures
// it; the process is killed afterwards.
func Run(ctx context.Context, bin string, env []string, event []byte) (Start, error) {
	rt := NewRuntime(event)
	defer rt.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+rt.Addr())
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return Start{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var s Start
	select {
	case t := <-rt.FirstNext:
		s.Init = t.Sub(began)
	case a := <-rt.Response:
		// A fast process may have answered before this select saw its
		// /next: only an answer without a /next is an init failure.
		select {
		case t := <-rt.FirstNext:
			s.Init, s.FirstResponse, s.Answer = t.Sub(began), a.At.Sub(began), a
			return s, nil
		default:
			return s, fmt.Errorf("%s failed during init: %s", bin, a.Body)
		}
	case <-ctx.Done():
		return s, fmt.Errorf("%s: no GET /next within 30 s", bin)
	}
	select {
	case a := <-rt.Response:
		s.FirstResponse, s.Answer = a.At.Sub(began), a
	case <-ctx.Done():
		return s, fmt.Errorf("%s: no response within 30 s", bin)
	}
	return s, nil
}

// Median is the median of ds (0 for none).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
