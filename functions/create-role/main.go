// Command create-role serves POST /groups/{groupID}/roles: roleops.CreateRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.CreateRole()) }
