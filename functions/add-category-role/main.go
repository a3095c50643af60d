// Command add-category-role serves POST /groups/{groupID}/categories/{categoryID}/roles: channelops.AddCategoryRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.AddCategoryRole()) }
