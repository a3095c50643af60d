// Command list-category-roles serves GET /groups/{groupID}/categories/{categoryID}/roles: channelops.ListCategoryRoles.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.ListCategoryRoles()) }
