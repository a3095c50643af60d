package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const deployTemplate = `
Parameters:
  AppAdminUserIds: {Type: String, Default: ''}
Globals:
  Function:
    Timeout: 7
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        TOPIC_ARN: !Ref DeployTestTopic
        APP_ADMIN_USER_IDS: !Ref AppAdminUserIds
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}, {AttributeName: SK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}, {AttributeName: SK, KeyType: RANGE}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  DeployTestTopic:
    Type: AWS::SNS::Topic
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Api:
          Type: HttpApi
          Properties:
            Method: GET
            Path: /echo/{what}
  NoCodeYetFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Api:
          Type: HttpApi
          Properties: {Method: GET, Path: /later}
`

// deployRoot lays out a copy of this module with template.yaml and the echo
// Lambda as its only function.
func deployRoot(t *testing.T) string {
	t.Helper()
	repo, err := RepoRoot()
	require.NoError(t, err)
	root := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(repo, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, f), b, 0o600))
	}
	src, err := os.ReadFile(filepath.Join("testdata", "echo", "main.go"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "functions", "echo"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "functions", "echo", "main.go"), src, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "template.yaml"), []byte(deployTemplate), 0o600))
	return root
}

func TestDeployServesTheTemplatesFunctionsOnTheLocalStack(t *testing.T) {
	cfg := awsConfig(t, "DYNAMODB", "SNS", "SQS")
	root := deployRoot(t)
	table := UniqueTableName(t.Name())
	ddb := dynamodb.NewFromConfig(cfg)
	t.Cleanup(func() {
		_ = DeleteTable(context.Background(), ddb, table)
	})
	var out SyncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	d, err := Deploy(ctx, DeployOptions{Root: root, Table: table, Secret: apiSecret, Output: &out})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })

	assert.FileExists(t, filepath.Join(root, ".local", "run", "bin", "echo", "bootstrap"))
	assert.Contains(t, out.String(), "NoCodeYetFunction has no code")
	_, err = ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	require.NoError(t, err, "the table exists")
	require.Contains(t, d.Bus.Topics, "DeployTestTopic")

	// The function's environment comes from the template, resolved locally.
	resp, err := d.Invoker.Invoke(ctx, "echo", []byte(`{}`))
	require.NoError(t, err)
	var r echoReply
	require.NoError(t, json.Unmarshal(resp, &r))
	assert.Equal(t, table, r.Env["TABLE_NAME"])
	assert.Equal(t, d.Bus.Topics["DeployTestTopic"], r.Env["TOPIC_ARN"])
	assert.Equal(t, DefaultAdminUserIDs, r.Env["APP_ADMIN_USER_IDS"], "empty in the template, admin locally")
	assert.InDelta(t, 7000, r.DeadlineIn, 1000, "the template's Timeout applies")

	// And the API serves its route.
	srv := httptest.NewServer(d.API)
	defer srv.Close()
	httpResp, body := do(t, "GET", srv.URL+"/echo/hi", token(t, "alice"), nil)
	assert.Equal(t, 201, httpResp.StatusCode, string(body))
	notServed, _ := do(t, "GET", srv.URL+"/later", token(t, "alice"), nil)
	assert.Equal(t, 404, notServed.StatusCode)
	assert.True(t, strings.Contains(out.String(), "GET /echo/hi -> 201 echo"), out.String())

	// Deploying again reuses the table and topic.
	d2, err := Deploy(ctx, DeployOptions{Root: root, Table: table, Secret: apiSecret, Output: &bytes.Buffer{}, Functions: []string{"echo"}})
	require.NoError(t, err)
	d2.Close()
}

func TestDeployRefusesToRunWithoutLocalEndpoints(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SNS", "")
	_, err := Deploy(context.Background(), DeployOptions{Root: t.TempDir()})
	assert.ErrorContains(t, err, "AWS_ENDPOINT_URL_SNS")
}

func TestDeployRejectsAnUnknownFunction(t *testing.T) {
	awsConfig(t, "DYNAMODB", "SNS", "SQS")
	root := deployRoot(t)
	table := UniqueTableName(t.Name())
	t.Cleanup(func() {
		cfg := awsConfig(t, "DYNAMODB")
		_ = DeleteTable(context.Background(), dynamodb.NewFromConfig(cfg), table)
	})
	_, err := Deploy(context.Background(), DeployOptions{Root: root, Table: table, Functions: []string{"nope"}, Output: &bytes.Buffer{}})
	assert.ErrorContains(t, err, "no function nope")
}
