package devstack

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// FunctionType is the SAM resource type of a Lambda function.
const FunctionType = "AWS::Serverless::Function"

// Route is one HttpApi event of a function in template.yaml.
type Route struct {
	Method    string // upper case; "ANY" matches every method
	Path      string // as in the template, e.g. /groups/{groupID}/owner
	LogicalID string // e.g. TransferGroupOwnerFunction
	Dir       string // e.g. functions/transfer-group-owner
	// Authorizer is the event's Auth.Authorizer: "" for the API's default
	// (JWT) authorizer, "NONE" for a public route.
	Authorizer string
}

// Key is the route key API Gateway puts in routeKey: "POST /groups".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Function is one AWS::Serverless::Function of template.yaml, with the
// template's Globals.Function applied.
type Function struct {
	LogicalID string
	Dir       string // functions/<kebab>
	// Env holds the environment variables with their unevaluated template
	// values; evaluate them with Environ.
	Env        map[string]any
	Events     []Event
	Timeout    time.Duration // 0 when the template does not say
	MemorySize int           // MB; 0 when the template does not say
	// LogFormat and LogLevel are LoggingConfig's LogFormat and
	// ApplicationLogLevel, which Lambda passes to the function as
	// AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL.
	LogFormat string
	LogLevel  string
}

// Event is one entry of a function's Events.
type Event struct {
	Name       string
	Type       string // HttpApi, DynamoDB, SQS, ...
	Properties map[string]any
}

// Name is the function directory's base name, e.g. "create-group": the
// name the local runner uses for AWS_LAMBDA_FUNCTION_NAME and log prefixes.
func (f Function) Name() string { return strings.TrimPrefix(f.Dir, "functions/") }

// EnvNames returns the names of the function's environment variables, sorted.
func (f Function) EnvNames() []string {
	names := make([]string, 0, len(f.Env))
	for k := range f.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Environ evaluates the function's environment variables with r. Variables
// that cannot be evaluated locally are left out and reported in the error;
// the map holds everything else either way.
func (f Function) Environ(r *Resolver) (map[string]string, error) {
	out := make(map[string]string, len(f.Env))
	var errs []string
	for _, k := range f.EnvNames() {
		v, err := r.String(f.Env[k])
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		out[k] = v
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s environment: %s", f.LogicalID, strings.Join(errs, "; "))
	}
	return out, nil
}

// FunctionDir maps a SAM logical id to its function directory:
// CreateGroupFunction -> create-group (the inverse of LogicalID).
func FunctionDir(logicalID string) string {
	base := strings.TrimSuffix(logicalID, "Function")
	var b strings.Builder
	for i, r := range base {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LogicalID maps a function directory (with or without the "functions/"
// prefix) to its SAM logical id: create-group -> CreateGroupFunction.
func LogicalID(dir string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(dir, "functions/"), "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	b.WriteString("Function")
	return b.String()
}

// Functions lists every AWS::Serverless::Function in template.yaml.
func Functions() ([]Function, error) {
	t, err := repoTemplate()
	if err != nil {
		return nil, err
	}
	return t.Functions()
}

// Routes lists every HttpApi event of every function in template.yaml.
func Routes() ([]Route, error) {
	t, err := repoTemplate()
	if err != nil {
		return nil, err
	}
	return t.Routes()
}

// Functions lists the template's functions sorted by logical id.
func (t *Template) Functions() ([]Function, error) {
	global := asMap(t.Globals["Function"])
	var fns []Function
	for _, id := range t.OfType(FunctionType) {
		p := t.Resources[id].Properties
		f := Function{
			LogicalID: id,
			Dir:       "functions/" + FunctionDir(id),
			Env:       map[string]any{},
		}
		// Globals first, then the function's own values, as SAM merges them.
		for _, src := range []map[string]any{global, p} {
			for k, v := range asMap(asMap(src["Environment"])["Variables"]) {
				f.Env[k] = v
			}
			if n, ok := src["Timeout"].(int); ok {
				f.Timeout = time.Duration(n) * time.Second
			}
			if n, ok := src["MemorySize"].(int); ok {
				f.MemorySize = n
			}
			lc := asMap(src["LoggingConfig"])
			if v, ok := lc["LogFormat"].(string); ok {
				f.LogFormat = v
			}
			if v, ok := lc["ApplicationLogLevel"].(string); ok {
				f.LogLevel = v
			}
		}
		for name, raw := range asMap(p["Events"]) {
			ev := asMap(raw)
			typ, _ := ev["Type"].(string)
			f.Events = append(f.Events, Event{Name: name, Type: typ, Properties: asMap(ev["Properties"])})
		}
		sort.Slice(f.Events, func(i, j int) bool { return f.Events[i].Name < f.Events[j].Name })
		fns = append(fns, f)
	}
	return fns, nil
}

// Routes lists the template's HttpApi routes sorted by path, then method.
func (t *Template) Routes() ([]Route, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var routes []Route
	seen := map[string]string{}
	for _, f := range fns {
		for _, ev := range f.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			method, _ := ev.Properties["Method"].(string)
			path, _ := ev.Properties["Path"].(string)
			if method == "" || path == "" {
				// An HttpApi event without a path is the $default route;
				// Circles does not use it.
				return nil, fmt.Errorf("devstack: %s event %s: HttpApi event needs Method and Path", f.LogicalID, ev.Name)
			}
			method = strings.ToUpper(method)
			if method == "*" {
				method = "ANY"
			}
			authz, _ := asMap(ev.Properties["Auth"])["Authorizer"].(string)
			r := Route{Method: method, Path: path, LogicalID: f.LogicalID, Dir: f.Dir, Authorizer: authz}
			if other, dup := seen[r.Key()]; dup {
				return nil, fmt.Errorf("devstack: route %s is declared by both %s and %s", r.Key(), other, f.LogicalID)
			}
			seen[r.Key()] = f.LogicalID
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes, nil
}
