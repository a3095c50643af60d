// Command set-group-member-info serves PATCH /groups/{groupID}/members/{userID}: groupops.SetGroupMemberInfo.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.SetGroupMemberInfo()) }
