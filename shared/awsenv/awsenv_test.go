package awsenv

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigReadsRegionAndTheRolesCredentialsFromTheEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "TOKEN")
	cfg, err := Config()
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", cfg.Region)
	creds, err := cfg.Credentials.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "AKID", creds.AccessKeyID)
	assert.Equal(t, "SECRET", creds.SecretAccessKey)
	assert.Equal(t, "TOKEN", creds.SessionToken)
	assert.Equal(t, MaxAttempts, cfg.Retryer().MaxAttempts())
}

func TestConfigRefusesAnEnvironmentWithoutRegionOrCredentials(t *testing.T) {
	cases := []struct {
		name                string
		region, key, secret string
		want                string
	}{
		{"no region", "", "AKID", "SECRET", "AWS_REGION"},
		{"no key", "us-east-1", "", "SECRET", "AWS_ACCESS_KEY_ID"},
		{"no secret", "us-east-1", "AKID", "", "AWS_SECRET_ACCESS_KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", c.region)
			t.Setenv("AWS_DEFAULT_REGION", "")
			t.Setenv("AWS_ACCESS_KEY_ID", c.key)
			t.Setenv("AWS_SECRET_ACCESS_KEY", c.secret)
			_, err := Config()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "ap-south-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	cfg, err := Config()
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", cfg.Region, "AWS_DEFAULT_REGION is the fallback")
}

func TestEndpointPrefersTheServicesOwnVariable(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	assert.Nil(t, Endpoint("DynamoDB"), "the SDK's default")
	t.Setenv("AWS_ENDPOINT_URL", "http://all:1")
	assert.Equal(t, "http://all:1", *Endpoint("DynamoDB"))
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2")
	assert.Equal(t, "http://ddb:2", *Endpoint("DynamoDB"))
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams:3")
	assert.Equal(t, "http://streams:3", *Endpoint("DynamoDB Streams"))
}
