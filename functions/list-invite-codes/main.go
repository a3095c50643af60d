// Command list-invite-codes serves GET /groups/{groupID}/invite-codes: groupops.ListInviteCodes.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.ListInviteCodes()) }
