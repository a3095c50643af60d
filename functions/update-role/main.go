// Command update-role serves PATCH /groups/{groupID}/roles/{roleID}: roleops.UpdateRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.UpdateRole()) }
