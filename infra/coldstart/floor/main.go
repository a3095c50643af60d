// Command floor is the cold-start floor of a function that uses the table:
// hello plus the DynamoDB client and guregu/dynamo that every such function
// links, built during init from the environment the way shared/awsenv does,
// and one read through them.
// What a function costs above floor is the project's own; what floor costs
// above hello is the SDK's package init and client setup.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/guregu/dynamo/v2"
)

func main() {
	cfg := aws.Config{
		Region:      os.Getenv("AWS_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))),
	}
	table := dynamo.NewFromIface(dynamodb.NewFromConfig(cfg)).Table(os.Getenv("TABLE_NAME"))
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		// An authenticated request reads one item, so that the binary links
		// a call through guregu/dynamo as every function does; the benchmark
		// sends none.
		if ev.Headers["authorization"] != "" {
			var item map[string]any
			if err := table.Get("pk", ev.RawPath).Range("sk", dynamo.Equal, "group").One(ctx, &item); err != nil {
				return events.APIGatewayV2HTTPResponse{StatusCode: 500}, nil
			}
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: 401, Body: `{}`}, nil
	})
}
