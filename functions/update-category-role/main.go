// Command update-category-role serves PATCH /groups/{groupID}/categories/{categoryID}/roles/{roleID}: channelops.UpdateCategoryRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateCategoryRole()) }
