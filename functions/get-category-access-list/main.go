// Command get-category-access-list serves GET /groups/{groupID}/categories/{categoryID}/access: channelops.GetCategoryAccessList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.GetCategoryAccessList()) }
