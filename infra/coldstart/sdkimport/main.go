// Command sdkimport is hello that only imports the DynamoDB client's
// package (github.com/aws/aws-sdk-go-v2/service/dynamodb), which guregu/dynamo
// imports itself: it builds no client and makes no call. Its cold start
// is the least any binary that reads the table through guregu/dynamo can
// have, since a Go package's init runs whether or not its code is used.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb" // its package inits, nothing else
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 401, Body: `{}`}, nil
	})
}
