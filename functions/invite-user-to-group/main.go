// Command invite-user-to-group serves POST /groups/{groupID}/members: groupops.InviteUserToGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.InviteUserToGroup()) }
