// Command revoke-invite-code serves DELETE /groups/{groupID}/invite-codes/{codeID}: groupops.RevokeInviteCode.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.RevokeInviteCode()) }
