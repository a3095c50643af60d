// Command ban-members serves POST /groups/{groupID}/bans: groupops.BanMembers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.BanMembers()) }
