// Command get-group-changes serves GET /groups/{groupID}/changes: groupops.GetGroupChanges.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupChanges()) }
