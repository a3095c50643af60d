// Command create-invite-code serves POST /groups/{groupID}/invite-codes: groupops.CreateInviteCode.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.CreateInviteCode()) }
