package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/circles-im/circles/infra/localauth"
)

// Local defaults: the table of `make run`, and the app admin a local
// APP_ADMIN_USER_IDS left empty by the template gets.
const (
	DefaultTableName    = "circles"
	DefaultAdminUserIDs = "admin"
)

// NoStackMessage is the failure of a test or a command that needs the local
// stack but runs without it. Tests never skip for lack of a stack: a skipped
// test reads as a passed one in CI.
const NoStackMessage = "no local stack: run `make test`"

// CheckEndpoints fails unless the SDK's endpoint of each service
// (AWS_ENDPOINT_URL_<service>) is set, so that nothing here can reach real
// AWS by accident: without a local endpoint the SDK uses the public one.
func CheckEndpoints(services ...string) error {
	for _, s := range services {
		if os.Getenv("AWS_ENDPOINT_URL_"+s) == "" {
			return fmt.Errorf("devstack: %s (AWS_ENDPOINT_URL_%s is not set)", NoStackMessage, s)
		}
	}
	return nil
}

// DeployOptions configures Deploy. Every field is optional.
type DeployOptions struct {
	Root   string // repository root; default RepoRoot()
	Table  string // table name; default DefaultTableName
	Secret []byte // token key; default localauth.DefaultLocalSecret
	// Issuer and Audience are required of tokens when set (APIConfig).
	Issuer    string
	Audience  []string
	Functions []string // function names; default every template function with code
	BinDir    string   // build output; default <Root>/.local/run/bin
	// CachedBuild builds through BuildCached (BinDir unused): tests that
	// deploy again and again on an unchanged tree link each function once.
	CachedBuild bool
	Env         map[string]string // set in every function's environment, over the template's values
	// Timeouts overrides the template's Timeout of the named functions
	// (tests of a consumer's deadline discipline).
	Timeouts map[string]time.Duration
	Output   io.Writer // children's output, request log, warnings; default os.Stderr
	// Pipeline drives the deployed functions' DynamoDB stream and SQS event
	// sources (see Pipeline). It is on whenever Functions is empty (the
	// whole system, as `serve` deploys it); set it to drive the event
	// sources of a chosen subset too.
	Pipeline bool
	// Namespace prefixes the SNS topic and SQS queue names. Default: none
	// for DefaultTableName, else one derived from Table, so deployments on
	// different tables never share queues.
	Namespace string
}

// Deployment is Circles deployed on the local stack, as `sam deploy` would
// deploy it to AWS: the table, the SNS/SQS resources, and the template's
// functions built for the host and run behind the Runtime API emulator and
// the HTTP API.
type Deployment struct {
	Table string
	// InboxTable is the inbox table made beside Table (InboxTableName), or
	// Table itself when the template declares none.
	InboxTable string
	Bus        *Bus
	Functions  []Lambda
	Invoker    *Invoker
	// API serves the template's HttpApi routes (see NewAPI).
	API http.Handler
	// Pipeline drives the event sources; nil when not started.
	Pipeline *Pipeline

	release func() // of the build directories held (CachedBuild)
}

// Close stops the pipeline, then every function instance, and lets the
// build cache prune the binaries.
func (d *Deployment) Close() error {
	d.Pipeline.Close()
	err := d.Invoker.Close()
	if d.release != nil {
		d.release()
	}
	return err
}

// Deploy creates (or reuses) the table and the messaging resources of
// template.yaml on the local stack, builds the functions and wires them to
// an Invoker and an API handler. It refuses to run unless the SDK's
// DynamoDB, SNS and SQS endpoints point somewhere explicit, so it can never
// touch a real AWS account by accident.
func Deploy(ctx context.Context, opts DeployOptions) (*Deployment, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if err := CheckEndpoints("DYNAMODB", "SNS", "SQS"); err != nil {
		return nil, err
	}
	tmpl, err := LoadTemplate(filepath.Join(opts.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	fns, err := opts.selectFunctions(tmpl)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("devstack: AWS config: %w", err)
	}

	ddb := dynamodb.NewFromConfig(cfg)
	if err := tmpl.createTableOf(ctx, ddb, TableLogicalID, opts.Table); err != nil {
		return nil, err
	}
	desc, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(opts.Table)})
	if err != nil {
		return nil, fmt.Errorf("devstack: describe table: %w", err)
	}

	sqsClient := sqs.NewFromConfig(cfg)
	bus, err := tmpl.MessagingIn(ctx, sns.NewFromConfig(cfg), sqsClient, opts.Namespace)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{TableLogicalID: opts.Table}
	inboxTable := opts.Table
	if tmpl.HasInboxTable() {
		inboxTable = InboxTableName(opts.Table)
		if err := tmpl.createTableOf(ctx, ddb, InboxTableLogicalID, inboxTable); err != nil {
			return nil, err
		}
		refs[InboxTableLogicalID] = inboxTable
	}
	res := tmpl.Resolver(bus, refs)
	res.Attrs[TableLogicalID+".Arn"] = aws.ToString(desc.Table.TableArn)
	res.Attrs[TableLogicalID+".StreamArn"] = aws.ToString(desc.Table.LatestStreamArn)

	names := make([]string, len(fns))
	for i, f := range fns {
		names[i] = f.Name()
	}
	build := func() (map[string]string, error) { return Build(ctx, opts.Root, opts.BinDir, names...) }
	if opts.CachedBuild {
		build = func() (map[string]string, error) { return BuildCached(ctx, opts.Root, names...) }
	}
	exes, err := build()
	if err != nil {
		return nil, err
	}

	var lambdas []Lambda
	for _, f := range fns {
		env, err := f.Environ(res)
		if err != nil {
			fmt.Fprintf(opts.Output, "devstack: warning: %v\n", err)
		}
		if f.LogFormat != "" {
			env["AWS_LAMBDA_LOG_FORMAT"] = f.LogFormat
		}
		if f.LogLevel != "" {
			env["AWS_LAMBDA_LOG_LEVEL"] = f.LogLevel
		}
		if env["APP_ADMIN_USER_IDS"] == "" {
			env["APP_ADMIN_USER_IDS"] = DefaultAdminUserIDs
		}
		for k, v := range opts.Env {
			env[k] = v
		}
		timeout := f.Timeout
		if d, ok := opts.Timeouts[f.Name()]; ok {
			timeout = d
		}
		lambdas = append(lambdas, Lambda{
			Name:       f.Name(),
			Executable: exes[f.Name()],
			Env:        env,
			Timeout:    timeout,
			MemoryMB:   f.MemorySize,
		})
	}
	inv, err := NewInvoker(opts.Output, lambdas...)
	if err != nil {
		return nil, err
	}

	routes, err := tmpl.Routes()
	if err != nil {
		inv.Close()
		return nil, err
	}
	served := routes[:0]
	for _, r := range routes {
		if slices.Contains(names, FunctionDir(r.LogicalID)) {
			served = append(served, r)
		}
	}
	handler, err := NewAPI(APIConfig{Routes: served, Invoke: inv.Invoke, Secret: opts.Secret,
		Issuer: opts.Issuer, Audience: opts.Audience, Log: opts.Output})
	if err != nil {
		inv.Close()
		return nil, err
	}
	d := &Deployment{Table: opts.Table, InboxTable: inboxTable, Bus: bus, Functions: lambdas, Invoker: inv, API: handler}
	if opts.Pipeline || len(opts.Functions) == 0 {
		if hasStreamSource(fns) {
			if err := CheckEndpoints("DYNAMODB_STREAMS"); err != nil {
				inv.Close()
				return nil, err
			}
		}
		d.Pipeline, err = StartPipeline(ctx, PipelineConfig{
			Functions: fns, Resolver: res, Bus: bus, Invoke: inv.Invoke,
			Streams: dynamodbstreams.NewFromConfig(cfg), SQS: sqsClient, Log: opts.Output,
		})
		if err != nil {
			inv.Close()
			return nil, err
		}
		for _, s := range d.Pipeline.Sources {
			fmt.Fprintf(opts.Output, "devstack: pipeline: %s\n", s)
		}
	}
	if opts.CachedBuild {
		d.release = holdBuilds(exes)
	}
	return d, nil
}

func hasStreamSource(fns []Function) bool {
	for _, f := range fns {
		for _, ev := range f.Events {
			if ev.Type == "DynamoDB" {
				return true
			}
		}
	}
	return false
}

// namespaceOf derives a short, stable messaging namespace from a table name.
func namespaceOf(table string) string {
	sum := sha256.Sum256([]byte(table))
	return "t" + hex.EncodeToString(sum[:4]) + "-"
}

func (o *DeployOptions) defaults() error {
	if o.Root == "" {
		root, err := RepoRoot()
		if err != nil {
			return err
		}
		o.Root = root
	}
	if o.Table == "" {
		o.Table = DefaultTableName
	}
	if o.Namespace == "" && o.Table != DefaultTableName {
		o.Namespace = namespaceOf(o.Table)
	}
	if len(o.Secret) == 0 {
		o.Secret = []byte(localauth.DefaultLocalSecret)
	}
	if o.BinDir == "" {
		o.BinDir = filepath.Join(o.Root, ".local", "run", "bin")
	}
	if o.Output == nil {
		o.Output = os.Stderr
	}
	return nil
}

// selectFunctions returns the template functions to deploy: the requested
// ones, or every one whose code exists (a template function without code
// yet is skipped with a warning, so one missing function does not stop the
// rest from being served).
func (o *DeployOptions) selectFunctions(tmpl *Template) ([]Function, error) {
	all, err := tmpl.Functions()
	if err != nil {
		return nil, err
	}
	code, err := FunctionNames(o.Root)
	if err != nil {
		return nil, err
	}
	if len(o.Functions) > 0 {
		var out []Function
		for _, name := range o.Functions {
			i := slices.IndexFunc(all, func(f Function) bool { return f.Name() == name })
			if i < 0 {
				return nil, fmt.Errorf("devstack: template.yaml has no function %s (logical id %s)", name, LogicalID(name))
			}
			out = append(out, all[i])
		}
		return out, nil
	}
	var out []Function
	for _, f := range all {
		if !slices.Contains(code, f.Name()) {
			fmt.Fprintf(o.Output, "devstack: warning: %s has no code in %s, not served\n", f.LogicalID, f.Dir)
			continue
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, errors.New("devstack: no function of template.yaml has code under functions/")
	}
	return out, nil
}
