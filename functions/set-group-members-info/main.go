// Command set-group-members-info serves PATCH /groups/{groupID}/members: groupops.SetGroupMembersInfo.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.SetGroupMembersInfo()) }
