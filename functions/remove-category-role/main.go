// Command remove-category-role serves DELETE /groups/{groupID}/categories/{categoryID}/roles/{roleID}: channelops.RemoveCategoryRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.RemoveCategoryRole()) }
