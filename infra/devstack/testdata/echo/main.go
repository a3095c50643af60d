// Command echo is the test Lambda of package devstack: a real aws-lambda-go
// function whose behaviour the event selects, so the Runtime API emulator
// and the local API can be tested end to end.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
)

type control struct {
	SleepMS int    `json:"sleepMs"`
	Crash   bool   `json:"crash"`
	Panic   bool   `json:"panic"`
	Error   string `json:"error"`
	Print   string `json:"print"`
	RawPath string `json:"rawPath"`
}

// Reply is what echo answers to a non-HTTP event.
type Reply struct {
	Event       json.RawMessage   `json:"event"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineIn  int64             `json:"deadlineInMs"`
	Env         map[string]string `json:"env"`
	SDKRegion   string            `json:"sdkRegion"`
}

var envNames = []string{
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"_HANDLER", "TABLE_NAME", "AWS_REGION", "AWS_ENDPOINT_URL_DYNAMODB", "LAMBDA_TASK_ROOT",
	"TOPIC_ARN", "APP_ADMIN_USER_IDS",
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var c control
	_ = json.Unmarshal(raw, &c)
	if c.Print != "" {
		fmt.Fprintln(os.Stderr, c.Print)
	}
	if c.SleepMS > 0 {
		select {
		case <-time.After(time.Duration(c.SleepMS) * time.Millisecond):
		case <-ctx.Done():
			// Keep running past the deadline, like a handler that ignores
			// its context: the emulator must stop it.
			time.Sleep(time.Duration(c.SleepMS) * time.Millisecond)
		}
	}
	switch {
	case c.Crash:
		fmt.Fprintln(os.Stderr, "crashing on purpose")
		os.Exit(3)
	case c.Panic:
		panic("panicking on purpose")
	case c.Error != "":
		return nil, errors.New(c.Error)
	case c.RawPath != "":
		return httpReply(raw)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	r := Reply{Event: raw, PID: os.Getpid(), Env: map[string]string{}, DeadlineIn: time.Until(deadline).Milliseconds()}
	if lc != nil {
		r.RequestID, r.FunctionARN = lc.AwsRequestID, lc.InvokedFunctionArn
	}
	for _, n := range envNames {
		r.Env[n] = os.Getenv(n)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("sdk config: %w", err)
	}
	r.SDKRegion = cfg.Region
	return r, nil
}

// httpReply answers an HTTP API event according to its path.
func httpReply(raw json.RawMessage) (any, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(ev.RawPath, "/crash"):
		os.Exit(4)
	case strings.HasSuffix(ev.RawPath, "/slow"):
		time.Sleep(10 * time.Second)
	case strings.HasSuffix(ev.RawPath, "/inferred"):
		// No statusCode: API Gateway infers a 200 JSON response.
		return map[string]string{"hello": "world"}, nil
	case strings.HasSuffix(ev.RawPath, "/binary"):
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0xff, 0x00, 0xfe}),
			IsBase64Encoded: true,
		}, nil
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode:        201,
		Headers:           map[string]string{"Content-Type": "application/json", "X-Echo": "yes"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		Cookies:           []string{"s=1; Path=/", "t=2"},
		Body:              string(body),
	}, nil
}

func main() {
	lambda.Start(handle)
}
