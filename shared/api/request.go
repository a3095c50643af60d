package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Request is one decoded API call.
type Request struct {
	Actor     permission.Actor
	RequestID string
	event     *events.APIGatewayV2HTTPRequest
	body      []byte
}

// newRequest reads identity only from the authorizer's verified claims.
func newRequest(ev *events.APIGatewayV2HTTPRequest, admins permission.AppAdmins) (*Request, error) {
	r := &Request{RequestID: ev.RequestContext.RequestID, event: ev}
	var sub string
	if ev.RequestContext.Authorizer != nil && ev.RequestContext.Authorizer.JWT != nil {
		sub = ev.RequestContext.Authorizer.JWT.Claims["sub"]
	}
	if sub == "" {
		return r, errcode.New(errcode.Unauthenticated, "no authenticated caller")
	}
	if !validate.IsID(sub) {
		return r, errcode.New(errcode.Unauthenticated, "the token's subject is not a valid user ID")
	}
	r.Actor = admins.Actor(sub)
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return r, errcode.New(errcode.InvalidArgument, "the body is not valid base64")
		}
		body = b
	}
	// An empty parameter is refused rather than read as absent: ?groupID=
	// would otherwise list every group, ?limit= give the default page.
	// Only an empty cursor means what leaving it out means (the first page).
	for _, name := range slices.Sorted(maps.Keys(ev.QueryStringParameters)) {
		if ev.QueryStringParameters[name] == "" && name != "cursor" {
			return r, errcode.New(errcode.InvalidArgument, "query parameter %s is empty; leave it out instead", name)
		}
	}
	if len(body) > validate.MaxBody {
		return r, errcode.New(errcode.InvalidArgument, "the body is %d bytes; the limit is %d", len(body), validate.MaxBody)
	}
	r.body = body
	return r, nil
}

// checkBody applies the operation's body rule before its handler runs: a
// body where none is taken, or none where one is needed, is
// INVALID_ARGUMENT.
func (r *Request) checkBody(spec Spec) error {
	switch {
	case spec.Body == NoBody:
		return r.refuseBody(spec.Name)
	case spec.Body == RequiredBody && len(bytes.TrimSpace(r.body)) == 0:
		return errcode.New(errcode.InvalidArgument, "%s needs a JSON request body", spec.Name)
	}
	return nil
}

// refuseBody accepts only what means "no body": nothing, or an empty JSON
// object.
func (r *Request) refuseBody(operation string) error {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := r.Decode(&fields); err != nil {
		return err
	}
	if fields == nil || len(fields) > 0 {
		return errcode.New(errcode.InvalidArgument, "%s takes no request body; send none, or {}", operation)
	}
	return nil
}

// Decode reads the JSON body into v. Unknown fields, trailing data,
// wrongly typed values and null anywhere are INVALID_ARGUMENT. An empty
// body decodes as {} (Serve has already refused it where one is needed).
func (r *Request) Decode(v any) error {
	body := bytes.TrimSpace(r.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errcode.New(errcode.InvalidArgument, "invalid request body: %s", describe(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errcode.New(errcode.InvalidArgument, "invalid request body: unexpected data after the JSON object")
	}
	if hasNull(body) {
		// Go would decode null as "absent" (a nil pointer) or leave the
		// zero value, so {"name": null} would quietly mean something the
		// client did not write; no field of the API is nullable.
		return errcode.New(errcode.InvalidArgument, "invalid request body: null is not a value; leave the field out")
	}
	return nil
}

// hasNull reports whether a well-formed JSON document holds a null.
func hasNull(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if tok == nil {
			return true
		}
	}
}

func describe(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + strconv.Quote(te.Field) + " must be " + te.Type.String()
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// Path returns a path parameter.
func (r *Request) Path(name string) string { return r.event.PathParameters[name] }

// Query returns a query string parameter.
func (r *Request) Query(name string) string { return r.event.QueryStringParameters[name] }

// QueryList splits a comma-separated query parameter; empty entries are
// dropped.
func (r *Request) QueryList(name string) []string {
	var out []string
	for _, s := range strings.Split(r.Query(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// QueryInt reads an integer query parameter; absent is 0.
func (r *Request) QueryInt(name string) (int, error) {
	s := r.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errcode.New(errcode.InvalidArgument, "%s must be an integer", name)
	}
	return n, nil
}

// QueryLimit reads the page size: absent is 0 (the list's default);
// present, it must be an integer of at least 1, as openapi.yaml's Limit
// says (the store's NormalizeLimit checks the upper bound). `limit=0` is
// INVALID_ARGUMENT, not the default.
func (r *Request) QueryLimit() (int, error) {
	n, err := r.QueryInt("limit")
	if err == nil && r.Query("limit") != "" && n < 1 {
		return 0, errcode.New(errcode.InvalidArgument, "limit must be at least 1")
	}
	return n, err
}

// readConsistency reads ?consistent= (true or false; absent is false) and
// answers ctx, asking strongly consistent reads when it is true.
func (r *Request) readConsistency(ctx context.Context) (context.Context, error) {
	switch r.Query("consistent") {
	case "", "false":
		return ctx, nil
	case "true":
		return store.WithConsistentReads(ctx), nil
	}
	return ctx, errcode.New(errcode.InvalidArgument, "consistent must be true or false")
}

// Header returns a request header (API Gateway lower-cases names).
func (r *Request) Header(name string) string {
	v, _ := r.lookupHeader(name)
	return v
}

// lookupHeader returns a request header and whether it was sent at all.
func (r *Request) lookupHeader(name string) (string, bool) {
	name = strings.ToLower(name)
	for k, v := range r.event.Headers {
		if strings.ToLower(k) == name {
			return v, true
		}
	}
	return "", false
}
