// Command get-channel-access-list serves GET /groups/{groupID}/channels/{channelID}/access: channelops.GetChannelAccessList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.GetChannelAccessList()) }
