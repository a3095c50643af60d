// Package awsenv builds a function's AWS configuration from the environment
// Lambda gives it, without the SDK's config package.
//
// Its rules:
//   - The region is AWS_REGION (AWS_DEFAULT_REGION as a fallback).
//   - Credentials are the execution role's, which Lambda puts in
//     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; missing
//     ones are a configuration error: the HTTP functions answer it to every
//     request (500), the consumers fail at init and Lambda reports it.
//   - A service's endpoint is AWS_ENDPOINT_URL_<SERVICE>, else
//     AWS_ENDPOINT_URL, else the SDK's default (the local stack sets them).
//   - No file is read: Lambda has no ~/.aws.
//
// Why not config.LoadDefaultConfig: it links the shared-file, SSO, STS,
// IMDS and process credential providers into every function (about a third
// of a function binary) and runs their setup on each cold start, for
// sources a function never has.
package awsenv

import (
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// MaxAttempts is how often the SDK tries a call (throttling and transient
// errors are retried with backoff); after that the caller answers
// UNAVAILABLE.
const MaxAttempts = 6

// Config is the AWS configuration of the environment, or why there is none.
func Config() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, errors.New("AWS_REGION is not set")
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return aws.Config{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them to the execution role's credentials)")
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN"))),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = MaxAttempts })
		},
	}, nil
}

// Endpoint is the endpoint override for service (its SDK ID, e.g.
// "DynamoDB", "SQS", "SNS"), or nil for the default.
func Endpoint(service string) *string {
	name := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(service, " ", "_"))
	if v := os.Getenv(name); v != "" {
		return aws.String(v)
	}
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		return aws.String(v)
	}
	return nil
}
