// Command list-member-roles serves GET /groups/{groupID}/members/{userID}/roles: roleops.ListMemberRoles.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.ListMemberRoles()) }
