// Command delete-role serves DELETE /groups/{groupID}/roles/{roleID}: roleops.DeleteRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.DeleteRole()) }
