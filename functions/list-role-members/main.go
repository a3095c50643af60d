// Command list-role-members serves GET /groups/{groupID}/roles/{roleID}/members: roleops.ListRoleMembers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.ListRoleMembers()) }
