// Command get-joined-group-list serves GET /users/me/groups: groupops.GetJoinedGroupList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetJoinedGroupList()) }
