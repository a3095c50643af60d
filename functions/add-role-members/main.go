// Command add-role-members serves POST /groups/{groupID}/roles/{roleID}/members: roleops.AddRoleMembers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.AddRoleMembers()) }
