// Command check-group serves POST /admin/groups/{groupID}/check: groupops.CheckGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.CheckGroup()) }
