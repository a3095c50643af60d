// Package ops is the registry of the HTTP operations: every operation of
// openapi.yaml, declared once as a value in the package of its domain
// (groupops, roleops, channelops, inboxops), with its operationId, route,
// what it decodes and its handler.
//
// Its rules:
//   - Each operation is served by functions/<kebab-case operationId>, whose
//     main is api.Start of the declaration and nothing else.
//   - A function links only its operation's domain package: the
//     declarations are split by domain, and only tests and local tooling
//     import this package, which links them all.
//
// infra/contract checks the registry against template.yaml, openapi.yaml,
// functions/ and each function's dependencies.
package ops

import (
	"slices"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
	"github.com/circles-im/circles/shared/ops/groupops"
	"github.com/circles-im/circles/shared/ops/inboxops"
	"github.com/circles-im/circles/shared/ops/roleops"
)

// Domain is one package of declarations and the domain package it calls.
type Domain struct {
	Package string         // import path of the declarations
	Calls   string         // import path of the domain package they call
	Ops     []api.Endpoint // the declarations
}

// Domains are the registry, by domain.
var Domains = []Domain{
	{"github.com/circles-im/circles/shared/ops/groupops", "github.com/circles-im/circles/shared/group", groupops.All},
	{"github.com/circles-im/circles/shared/ops/roleops", "github.com/circles-im/circles/shared/role", roleops.All},
	{"github.com/circles-im/circles/shared/ops/channelops", "github.com/circles-im/circles/shared/channel", channelops.All},
	{"github.com/circles-im/circles/shared/ops/inboxops", "github.com/circles-im/circles/shared/notification", inboxops.All},
}

// All are every operation of the registry.
var All = func() []api.Endpoint {
	var all []api.Endpoint
	for _, d := range Domains {
		all = append(all, d.Ops...)
	}
	return slices.Clip(all)
}()

// Find returns the operation with that operationId.
func Find(name string) (api.Endpoint, bool) {
	i := slices.IndexFunc(All, func(e api.Endpoint) bool { return e.Describe().Name == name })
	if i < 0 {
		return nil, false
	}
	return All[i], true
}
