// Command get-joined-group-changes serves GET /users/me/groups/changes: groupops.GetJoinedGroupChanges.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetJoinedGroupChanges()) }
