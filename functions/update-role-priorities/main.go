// Command update-role-priorities serves PUT /groups/{groupID}/role-priorities: roleops.UpdateRolePriorities.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.UpdateRolePriorities()) }
