// Command get-group-members-info serves GET /groups/{groupID}/member-info: groupops.GetGroupMembersInfo.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupMembersInfo()) }
