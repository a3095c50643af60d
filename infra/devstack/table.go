package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableLogicalID is the logical id of the single table in template.yaml.
const TableLogicalID = "Table"

// InboxTableLogicalID is the logical id of the inbox table in template.yaml.
// Deploy creates it as InboxTableName(table) beside the table.
const InboxTableLogicalID = "InboxTable"

// InboxTableName is the name Deploy gives the inbox table of the table name.
func InboxTableName(table string) string { return table + "-inbox" }

// cfnTable mirrors the AWS::DynamoDB::Table properties the local stack uses.
// It is filled from the generic template values through encoding/json, so an
// unresolvable intrinsic in a key property is an error, not a silent "".
type cfnTable struct {
	AttributeDefinitions []struct {
		AttributeName string
		AttributeType string
	}
	KeySchema              []cfnKey
	GlobalSecondaryIndexes []struct {
		IndexName             string
		KeySchema             []cfnKey
		Projection            cfnProjection
		ProvisionedThroughput *cfnThroughput
	}
	LocalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []cfnKey
		Projection cfnProjection
	}
	BillingMode             string
	ProvisionedThroughput   *cfnThroughput
	StreamSpecification     *struct{ StreamViewType string }
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       bool
	}
}

type cfnKey struct{ AttributeName, KeyType string }

type cfnProjection struct {
	ProjectionType   string
	NonKeyAttributes []string
}

type cfnThroughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }

// TableInput returns the CreateTableInput for the single table, named name,
// as Resources.Table in template.yaml declares it. Until template.yaml exists
// it returns the table described in the team conventions.
func TableInput(name string) (*dynamodb.CreateTableInput, error) {
	t, err := repoTemplate()
	if isNotExist(err) {
		return conventionTable(name), nil
	}
	if err != nil {
		return nil, err
	}
	return t.TableInput(name)
}

// TableTTLAttribute returns the table's TTL attribute from template.yaml
// ("" if TTL is not enabled there), or the conventions' "expiresAt" until
// template.yaml exists.
func TableTTLAttribute() (string, error) {
	t, err := repoTemplate()
	if isNotExist(err) {
		return "expiresAt", nil
	}
	if err != nil {
		return "", err
	}
	return t.TableTTLAttribute()
}

// tableOf is the AWS::DynamoDB::Table of logical id id.
func (t *Template) tableOf(id string) (*cfnTable, error) {
	res, ok := t.Resources[id]
	if !ok || res.Type != "AWS::DynamoDB::Table" {
		return nil, fmt.Errorf("devstack: %s has no AWS::DynamoDB::Table named %s", t.Path, id)
	}
	raw, err := json.Marshal(res.Properties)
	if err != nil {
		return nil, fmt.Errorf("devstack: %s properties: %w", id, err)
	}
	var ct cfnTable
	if err := json.Unmarshal(raw, &ct); err != nil {
		return nil, fmt.Errorf("devstack: %s properties in %s: %w", id, t.Path, err)
	}
	return &ct, nil
}

// HasInboxTable reports whether the template declares the inbox table.
func (t *Template) HasInboxTable() bool {
	res, ok := t.Resources[InboxTableLogicalID]
	return ok && res.Type == "AWS::DynamoDB::Table"
}

// TableInput is the package-level TableInput for this template.
func (t *Template) TableInput(name string) (*dynamodb.CreateTableInput, error) {
	return t.tableInputOf(TableLogicalID, name)
}

// tableInputOf is the CreateTableInput of the template's table id, named
// name.
func (t *Template) tableInputOf(id, name string) (*dynamodb.CreateTableInput, error) {
	ct, err := t.tableOf(id)
	if err != nil {
		return nil, err
	}
	in := &dynamodb.CreateTableInput{
		TableName:             aws.String(name),
		BillingMode:           types.BillingMode(ct.BillingMode),
		ProvisionedThroughput: ct.ProvisionedThroughput.sdk(),
		KeySchema:             keySchema(ct.KeySchema),
	}
	for _, a := range ct.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range ct.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(g.IndexName),
			KeySchema:             keySchema(g.KeySchema),
			Projection:            g.Projection.sdk(),
			ProvisionedThroughput: g.ProvisionedThroughput.sdk(),
		})
	}
	for _, l := range ct.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.IndexName),
			KeySchema:  keySchema(l.KeySchema),
			Projection: l.Projection.sdk(),
		})
	}
	if s := ct.StreamSpecification; s != nil && s.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(s.StreamViewType),
		}
	}
	if len(in.KeySchema) == 0 || len(in.AttributeDefinitions) == 0 {
		return nil, fmt.Errorf("devstack: %s in %s has no KeySchema or AttributeDefinitions", id, t.Path)
	}
	return in, nil
}

// TableTTLAttribute returns the TTL attribute of Resources.Table, "" if the
// template does not enable TTL.
func (t *Template) TableTTLAttribute() (string, error) { return t.ttlOf(TableLogicalID) }

// ttlOf is TableTTLAttribute of the template's table id.
func (t *Template) ttlOf(id string) (string, error) {
	ct, err := t.tableOf(id)
	if err != nil {
		return "", err
	}
	if s := ct.TimeToLiveSpecification; s != nil && s.Enabled {
		return s.AttributeName, nil
	}
	return "", nil
}

func keySchema(ks []cfnKey) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		})
	}
	return out
}

func (p cfnProjection) sdk() *types.Projection {
	return &types.Projection{
		ProjectionType:   types.ProjectionType(p.ProjectionType),
		NonKeyAttributes: p.NonKeyAttributes,
	}
}

func (p *cfnThroughput) sdk() *types.ProvisionedThroughput {
	if p == nil {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(p.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(p.WriteCapacityUnits),
	}
}

// conventionTable is the table of the team conventions, used only while
// template.yaml does not exist yet.
func conventionTable(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewTypeNewAndOldImages,
		},
	}
	for _, attr := range []string{"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(attr), AttributeType: types.ScalarAttributeTypeS,
		})
	}
	for _, gsi := range []string{"GSI1", "GSI2", "GSI3"} {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(gsi),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(gsi + "PK"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(gsi + "SK"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	return in
}

// EnsureTable creates the table name as template.yaml declares it unless a
// table of that name exists, waits until it and its indexes are ACTIVE, and
// enables TTL on the template's TTL attribute.
func EnsureTable(ctx context.Context, client *dynamodb.Client, name string) error {
	if err := CreateTable(ctx, client, name); err != nil {
		return err
	}
	return EnableTTL(ctx, client, name)
}

// CreateTable creates the table name as template.yaml declares it unless a
// table of that name exists, and waits until it and its indexes are ACTIVE.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string) error {
	in, err := TableInput(name)
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	return createTable(ctx, client, in)
}

// CreateTableWithoutStream is CreateTable without the table's stream, for
// tests that never read it (everything but the pipeline's): DynamoDB Local
// slows down for good with each stream-enabled table it has held (see
// DeleteTable), so a test suite that creates hundreds of tables should give
// streams only to the tables whose stream is read.
func CreateTableWithoutStream(ctx context.Context, client *dynamodb.Client, name string) error {
	in, err := TableInput(name)
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	in.StreamSpecification = nil
	return createTable(ctx, client, in)
}

// DeleteTable deletes the table name, disabling its stream first. DynamoDB
// Local keeps the stream of a table deleted with its stream enabled, and
// every later write pays for it: measured on one instance, 1,000
// transactions on fresh stream-enabled tables took 49 s after 50 such tables
// had come and gone and 98 s after 150, against 13 to 20 s when each table's
// stream was disabled before its deletion. On DynamoDB the first step is
// merely redundant. The inbox table Deploy made beside it
// (InboxTableName(name)), if any, goes too.
func DeleteTable(ctx context.Context, client *dynamodb.Client, name string) error {
	if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(InboxTableName(name))}); err != nil {
		if nf := (*types.ResourceNotFoundException)(nil); !errors.As(err, &nf) {
			return fmt.Errorf("devstack: delete table %s: %w", InboxTableName(name), err)
		}
	}
	d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("devstack: describe table %s: %w", name, err)
	}
	if s := d.Table.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:           aws.String(name),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)},
		}); err != nil {
			return fmt.Errorf("devstack: disable the stream of table %s: %w", name, err)
		}
	}
	if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		return fmt.Errorf("devstack: delete table %s: %w", name, err)
	}
	return nil
}

// EnableTTL enables TTL on the template's TTL attribute of the table name.
func EnableTTL(ctx context.Context, client *dynamodb.Client, name string) error {
	ttl, err := TableTTLAttribute()
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	return enableTTL(ctx, client, name, ttl)
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// UniqueTableName turns a name (a test's) into a valid, unique table name
// ([A-Za-z0-9_.-]{3,255}): readable prefix for debugging, random suffix so
// parallel tests and reruns never collide.
func UniqueTableName(name string) string {
	prefix := strings.Trim(nameUnsafe.ReplaceAllString(name, "-"), "-")
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

// createTable creates the table if it does not exist and waits for ACTIVE.
func createTable(ctx context.Context, client *dynamodb.Client, in *dynamodb.CreateTableInput) error {
	name := aws.ToString(in.TableName)
	// Look before creating: the common case (a restarted runner) then
	// involves no error response at all.
	_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		_, err = client.CreateTable(ctx, in)
		var inUse *types.ResourceInUseException
		if errors.As(err, &inUse) { // created concurrently: fine
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("devstack: create table %s: %w", name, err)
	}
	// The SDK's TableExistsWaiter sleeps 20s between polls; DynamoDB Local is
	// ACTIVE at once, and real DynamoDB within seconds, so poll briskly.
	for {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		if err != nil {
			return fmt.Errorf("devstack: describe table %s: %w", name, err)
		}
		if tableActive(out.Table) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devstack: table %s not ACTIVE: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func tableActive(d *types.TableDescription) bool {
	if d == nil || d.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range d.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// enableTTL turns TTL on for attr ("" means the template has no TTL).
func enableTTL(ctx context.Context, client *dynamodb.Client, name, attr string) error {
	if attr == "" {
		return nil
	}
	cur, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("devstack: describe TTL of %s: %w", name, err)
	}
	if d := cur.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == attr &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attr),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("devstack: enable TTL on %s.%s: %w", name, attr, err)
	}
	return nil
}

// createTableOf creates the template's table id as name unless it exists,
// and enables its TTL.
func (t *Template) createTableOf(ctx context.Context, client *dynamodb.Client, id, name string) error {
	in, err := t.tableInputOf(id, name)
	if err != nil {
		return err
	}
	ttl, err := t.ttlOf(id)
	if err != nil {
		return err
	}
	if err := createTable(ctx, client, in); err != nil {
		return err
	}
	return enableTTL(ctx, client, name, ttl)
}

// CreateInboxTable creates InboxTableName(table) as template.yaml declares
// the inbox table, unless it exists, with its TTL; DeleteTable(table)
// deletes it with the table.
func CreateInboxTable(ctx context.Context, client *dynamodb.Client, table string) error {
	t, err := repoTemplate()
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	return t.createTableOf(ctx, client, InboxTableLogicalID, InboxTableName(table))
}

// EnableStream turns on the stream template.yaml declares for the table
// name: a test can load a large fixture into a table created without it
// (CreateTableWithoutStream), which on DynamoDB Local is several times
// cheaper, and then deploy the pipeline on it, which reads only what comes
// after.
func EnableStream(ctx context.Context, client *dynamodb.Client, name string) error {
	in, err := TableInput(name)
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if in.StreamSpecification == nil {
		return fmt.Errorf("devstack: the template's table has no stream")
	}
	if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), StreamSpecification: in.StreamSpecification}); err != nil {
		return fmt.Errorf("devstack: enable the stream of table %s: %w", name, err)
	}
	return nil
}
