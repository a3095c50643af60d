// Command update-category-access-list serves POST /groups/{groupID}/categories/{categoryID}/access: channelops.UpdateCategoryAccessList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateCategoryAccessList()) }
