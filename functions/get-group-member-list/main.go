// Command get-group-member-list serves GET /groups/{groupID}/members: groupops.GetGroupMemberList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupMemberList()) }
