// Command list-roles serves GET /groups/{groupID}/roles: roleops.ListRoles.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.ListRoles()) }
