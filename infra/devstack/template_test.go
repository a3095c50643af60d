package devstack

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conventionsTemplate declares the table exactly as the team conventions
// describe it, with short-form tags around it to prove they parse.
const conventionsTemplate = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  AppAdminUserIds:
    Type: String
    Default: admin
  MaxRolesPerGroup:
    Type: Number
    Default: 20
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    LoggingConfig:
      LogFormat: JSON
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        APP_ADMIN_USER_IDS: !Ref AppAdminUserIds
        MAX_ROLES_PER_GROUP: !Ref MaxRolesPerGroup
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub ${AWS::StackName}-table
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
        - {AttributeName: GSI1PK, AttributeType: S}
        - {AttributeName: GSI1SK, AttributeType: S}
        - {AttributeName: GSI2PK, AttributeType: S}
        - {AttributeName: GSI2SK, AttributeType: S}
        - {AttributeName: GSI3PK, AttributeType: S}
        - {AttributeName: GSI3SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema: [{AttributeName: GSI1PK, KeyType: HASH}, {AttributeName: GSI1SK, KeyType: RANGE}]
          Projection: {ProjectionType: ALL}
        - IndexName: GSI2
          KeySchema: [{AttributeName: GSI2PK, KeyType: HASH}, {AttributeName: GSI2SK, KeyType: RANGE}]
          Projection: {ProjectionType: ALL}
        - IndexName: GSI3
          KeySchema: [{AttributeName: GSI3PK, KeyType: HASH}, {AttributeName: GSI3SK, KeyType: RANGE}]
          Projection: {ProjectionType: ALL}
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
      TimeToLiveSpecification:
        AttributeName: expiresAt
        Enabled: true
  Topic:
    Type: AWS::SNS::Topic
  CreateGroupFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: bootstrap
      Environment:
        Variables:
          TOPIC_ARN: !Ref Topic
      Events:
        Api:
          Type: HttpApi
          Properties: {Method: post, Path: /groups}
  TransferGroupOwnerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 29
      Events:
        Api:
          Type: HttpApi
          Properties:
            Method: POST
            Path: /groups/{groupID}/owner
  HealthFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Api:
          Type: HttpApi
          Properties:
            Method: GET
            Path: /health
            Auth: {Authorizer: NONE}
  PublishEventsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            FilterCriteria:
              Filters:
                - Pattern: '{"dynamodb":{"NewImage":{"kind":{"S":["event"]}}}}'
`

// writeTemplate writes src as template.yaml in a temp dir and loads it.
func writeTemplate(t *testing.T, src string) *Template {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	tmpl, err := LoadTemplate(path)
	require.NoError(t, err)
	return tmpl
}

func TestLoadTemplateRewritesShortFormIntrinsicsToLongForm(t *testing.T) {
	tmpl := writeTemplate(t, `
Resources:
  Thing:
    Type: Custom::Thing
    Properties:
      Ref: !Ref Table
      GetAttScalar: !GetAtt Queue.Arn
      GetAttList: !GetAtt [Queue, Arn]
      Sub: !Sub "${AWS::StackName}-x"
      Join: !Join [",", [a, !Ref B]]
      Plain: 42
      Long: {"Fn::GetAtt": [Table, StreamArn]}
`)
	props := tmpl.Resources["Thing"].Properties
	tests := []struct {
		key  string
		want any
	}{
		{"Ref", map[string]any{"Ref": "Table"}},
		{"GetAttScalar", map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}},
		{"GetAttList", map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}},
		{"Sub", map[string]any{"Fn::Sub": "${AWS::StackName}-x"}},
		{"Join", map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "B"}}}}},
		{"Plain", 42},
		{"Long", map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, props[tt.key])
		})
	}
}

func TestLoadTemplateReportsMissingFileAsNotExist(t *testing.T) {
	_, err := LoadTemplate(filepath.Join(t.TempDir(), "template.yaml"))
	require.Error(t, err)
	assert.True(t, os.IsNotExist(err) || isNotExist(err))
}

func TestTemplateTableInputEqualsConventionsTable(t *testing.T) {
	tmpl := writeTemplate(t, conventionsTemplate)
	got, err := tmpl.TableInput("circles")
	require.NoError(t, err)
	assert.Equal(t, conventionTable("circles"), got)

	ttl, err := tmpl.TableTTLAttribute()
	require.NoError(t, err)
	assert.Equal(t, "expiresAt", ttl)
}

func TestTemplateTableInputErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"no table resource", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"},
		{"table of the wrong type", "Resources:\n  Table:\n    Type: AWS::SNS::Topic\n"},
		{"intrinsic in a key attribute", `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: !Ref KeyName, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
`},
		{"no key schema", `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := writeTemplate(t, tt.src).TableInput("x")
			assert.Error(t, err)
		})
	}
}

// The repository's table (template.yaml once it exists, the conventions'
// fallback before) must be the conventions' table: the store's key design
// depends on it.
func TestRepoTableInputMatchesConventions(t *testing.T) {
	got, err := TableInput("circles")
	require.NoError(t, err)
	assert.Equal(t, conventionTable("circles"), got)
	ttl, err := TableTTLAttribute()
	require.NoError(t, err)
	assert.Equal(t, "expiresAt", ttl)
}

func TestFunctionDirAndLogicalIDAreInverse(t *testing.T) {
	tests := []struct{ logicalID, dir string }{
		{"CreateGroupFunction", "create-group"},
		{"PutMyProfileFunction", "put-my-profile"},
		{"GetUsersFunction", "get-users"},
		{"ImportUserFunction", "import-user"},
		{"GetJoinedGroupListFunction", "get-joined-group-list"},
		{"TransferGroupOwnerFunction", "transfer-group-owner"},
		{"PublishEventsFunction", "publish-events"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			assert.Equal(t, tt.dir, FunctionDir(tt.logicalID))
			assert.Equal(t, tt.logicalID, LogicalID(tt.dir))
			assert.Equal(t, tt.logicalID, LogicalID("functions/"+tt.dir))
		})
	}
}

func TestTemplateRoutesListsEveryHttpApiEvent(t *testing.T) {
	routes, err := writeTemplate(t, conventionsTemplate).Routes()
	require.NoError(t, err)
	assert.Equal(t, []Route{
		{Method: "POST", Path: "/groups", LogicalID: "CreateGroupFunction", Dir: "functions/create-group"},
		{Method: "POST", Path: "/groups/{groupID}/owner", LogicalID: "TransferGroupOwnerFunction", Dir: "functions/transfer-group-owner"},
		{Method: "GET", Path: "/health", LogicalID: "HealthFunction", Dir: "functions/health", Authorizer: "NONE"},
	}, routes)
}

func TestTemplateRoutesRejectsDuplicateRouteKeys(t *testing.T) {
	_, err := writeTemplate(t, `
Resources:
  AFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events: {Api: {Type: HttpApi, Properties: {Method: GET, Path: /x}}}
  BFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events: {Api: {Type: HttpApi, Properties: {Method: get, Path: /x}}}
`).Routes()
	assert.ErrorContains(t, err, "GET /x")
}

func TestTemplateFunctionsMergeGlobalsAndKeepEvents(t *testing.T) {
	fns, err := writeTemplate(t, conventionsTemplate).Functions()
	require.NoError(t, err)
	byID := map[string]Function{}
	for _, f := range fns {
		byID[f.LogicalID] = f
	}
	require.Len(t, byID, 4)

	cg := byID["CreateGroupFunction"]
	assert.Equal(t, "functions/create-group", cg.Dir)
	assert.Equal(t, "create-group", cg.Name())
	assert.Equal(t, []string{"APP_ADMIN_USER_IDS", "MAX_ROLES_PER_GROUP", "TABLE_NAME", "TOPIC_ARN"}, cg.EnvNames())
	assert.Equal(t, 10*time.Second, cg.Timeout, "Globals.Function.Timeout applies")
	assert.Equal(t, 256, cg.MemorySize)
	assert.Equal(t, "JSON", cg.LogFormat)
	assert.Equal(t, 29*time.Second, byID["TransferGroupOwnerFunction"].Timeout, "the function's own Timeout wins")

	pub := byID["PublishEventsFunction"]
	require.Len(t, pub.Events, 1)
	assert.Equal(t, "DynamoDB", pub.Events[0].Type)
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}, pub.Events[0].Properties["Stream"])
	assert.Equal(t, "TRIM_HORIZON", pub.Events[0].Properties["StartingPosition"])
}

func TestFunctionEnvironResolvesRefsParametersAndBus(t *testing.T) {
	tmpl := writeTemplate(t, conventionsTemplate)
	fns, err := tmpl.Functions()
	require.NoError(t, err)
	bus := newBus()
	bus.Topics["Topic"] = "arn:aws:sns:us-east-1:123456789012:Topic"
	r := tmpl.Resolver(bus, map[string]string{"Table": "circles"})

	env, err := fns[0].Environ(r) // CreateGroupFunction
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"TABLE_NAME":          "circles",
		"TOPIC_ARN":           "arn:aws:sns:us-east-1:123456789012:Topic",
		"APP_ADMIN_USER_IDS":  "admin",
		"MAX_ROLES_PER_GROUP": "20",
	}, env)

	_, err = fns[0].Environ(tmpl.Resolver(nil, nil))
	assert.ErrorContains(t, err, "TOPIC_ARN", "an unresolvable variable is reported")
}

func TestResolverString(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	r := &Resolver{
		Refs:  map[string]string{"Table": "circles", "Stage": "dev"},
		Attrs: map[string]string{"Queue.Arn": "arn:aws:sqs:us-east-1:123456789012:Queue"},
	}
	tests := []struct {
		name    string
		in      any
		want    string
		wantErr bool
	}{
		{"plain string", "x", "x", false},
		{"number", 20, "20", false},
		{"ref", map[string]any{"Ref": "Table"}, "circles", false},
		{"pseudo parameter", map[string]any{"Ref": "AWS::Region"}, "us-east-1", false},
		{"getatt", map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, "arn:aws:sqs:us-east-1:123456789012:Queue", false},
		{"sub with refs, attrs and pseudo parameters",
			map[string]any{"Fn::Sub": "${AWS::StackName}-${Stage}-${Queue.Arn}-${AWS::AccountId}"},
			"circles-dev-arn:aws:sqs:us-east-1:123456789012:Queue-123456789012", false},
		{"sub with a variable map", map[string]any{"Fn::Sub": []any{"${a}/${Table}", map[string]any{"a": map[string]any{"Ref": "Stage"}}}}, "dev/circles", false},
		{"sub literal", map[string]any{"Fn::Sub": "${!Literal}"}, "${Literal}", false},
		{"join", map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "Stage"}}}}, "a,dev", false},
		{"unknown ref", map[string]any{"Ref": "Nope"}, "", true},
		{"unknown attr in sub", map[string]any{"Fn::Sub": "${Nope.Arn}"}, "", true},
		{"unsupported intrinsic", map[string]any{"Fn::ImportValue": "x"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.String(tt.in)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRepoRootHoldsGoMod(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(root, "go.mod"))
	assert.DirExists(t, filepath.Join(root, "infra", "devstack"))
}
