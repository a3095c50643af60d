// Command transfer-group-owner serves POST /groups/{groupID}/owner: groupops.TransferGroupOwner.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.TransferGroupOwner()) }
