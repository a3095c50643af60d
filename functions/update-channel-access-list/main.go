// Command update-channel-access-list serves POST /groups/{groupID}/channels/{channelID}/access: channelops.UpdateChannelAccessList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateChannelAccessList()) }
