// Command join-by-invite-code serves POST /groups/{groupID}/join-by-code: groupops.JoinByInviteCode.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.JoinByInviteCode()) }
