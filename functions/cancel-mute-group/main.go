// Command cancel-mute-group serves DELETE /groups/{groupID}/mute: groupops.CancelMuteGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.CancelMuteGroup()) }
