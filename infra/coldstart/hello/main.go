// Command hello is the cold-start baseline: an aws-lambda-go HTTP API
// handler that does nothing, built with the same flags as every function.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 401, Body: `{}`}, nil
	})
}
