// Command get-channel serves GET /groups/{groupID}/channels/{channelID}: channelops.GetChannel.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.GetChannel()) }
