// Command list-bans serves GET /groups/{groupID}/bans: groupops.ListBans.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.ListBans()) }
