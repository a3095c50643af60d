package devstack

import (
	"fmt"
	"net/url"
	"strings"
)

// Router matches requests to template routes the way API Gateway's HTTP API
// does: path segments are literal, {param} (one segment) or a final
// {param+} (the rest of the path); the most specific route wins (a literal
// segment beats a parameter, which beats a greedy parameter, compared from
// the left), and a route's own method beats ANY.
type Router struct {
	routes []compiledRoute
}

type segKind int

const (
	segGreedy segKind = iota
	segParam
	segLiteral
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter name
}

type compiledRoute struct {
	Route
	segs []segment
}

// Match is a request matched to a route.
type Match struct {
	Route  Route
	Params map[string]string // path parameters, URL-decoded; nil if none
}

// NewRouter compiles routes, rejecting malformed path templates.
func NewRouter(routes []Route) (*Router, error) {
	rt := &Router{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("devstack: route %s: path must start with /", r.Key())
		}
		cr := compiledRoute{Route: r}
		parts := splitPath(r.Path)
		for i, p := range parts {
			switch {
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
				if i != len(parts)-1 {
					return nil, fmt.Errorf("devstack: route %s: a greedy parameter must be last", r.Key())
				}
				cr.segs = append(cr.segs, segment{segGreedy, p[1 : len(p)-2]})
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
				cr.segs = append(cr.segs, segment{segParam, p[1 : len(p)-1]})
			case strings.ContainsAny(p, "{}"):
				return nil, fmt.Errorf("devstack: route %s: a parameter must be a whole segment", r.Key())
			default:
				cr.segs = append(cr.segs, segment{segLiteral, p})
			}
		}
		rt.routes = append(rt.routes, cr)
	}
	return rt, nil
}

// splitPath splits "/a/b" into ["a", "b"]; "/" gives no segments.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match finds the route for method and escapedPath (the request's path as
// sent, percent-encoding intact, so that an encoded "/" stays inside its
// segment).
func (rt *Router) Match(method, escapedPath string) (Match, bool) {
	raw := splitPath(escapedPath)
	segs := make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return Match{}, false
		}
		segs[i] = d
	}
	var (
		best   *compiledRoute
		params map[string]string
	)
	for i := range rt.routes {
		cr := &rt.routes[i]
		if cr.Method != method && cr.Method != "ANY" {
			continue
		}
		p, ok := cr.match(segs)
		if !ok {
			continue
		}
		if best == nil || cr.moreSpecific(best) {
			best, params = cr, p
		}
	}
	if best == nil {
		return Match{}, false
	}
	return Match{Route: best.Route, Params: params}, true
}

func (cr *compiledRoute) match(segs []string) (map[string]string, bool) {
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, s := range cr.segs {
		if s.kind == segGreedy {
			if i >= len(segs) {
				return nil, false // {proxy+} needs at least one segment
			}
			set(s.text, strings.Join(segs[i:], "/"))
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		switch s.kind {
		case segLiteral:
			if segs[i] != s.text {
				return nil, false
			}
		case segParam:
			if segs[i] == "" {
				return nil, false
			}
			set(s.text, segs[i])
		}
	}
	return params, len(segs) == len(cr.segs)
}

// moreSpecific reports whether cr should win over other for the same path.
func (cr *compiledRoute) moreSpecific(other *compiledRoute) bool {
	for i := 0; i < len(cr.segs) && i < len(other.segs); i++ {
		if cr.segs[i].kind != other.segs[i].kind {
			return cr.segs[i].kind > other.segs[i].kind
		}
	}
	if len(cr.segs) != len(other.segs) {
		return len(cr.segs) > len(other.segs)
	}
	return cr.Method != "ANY" && other.Method == "ANY"
}
