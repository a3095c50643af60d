// Command delete-channel serves DELETE /groups/{groupID}/channels/{channelID}: channelops.DeleteChannel.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.DeleteChannel()) }
