// Command unban-members serves POST /groups/{groupID}/bans/remove: groupops.UnbanMembers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.UnbanMembers()) }
