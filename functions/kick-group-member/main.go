// Command kick-group-member serves POST /groups/{groupID}/kick: groupops.KickGroupMember.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.KickGroupMember()) }
