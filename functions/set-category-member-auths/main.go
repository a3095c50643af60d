// Command set-category-member-auths serves PUT /groups/{groupID}/categories/{categoryID}/members/{userID}/auths: channelops.SetCategoryMemberAuths.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.SetCategoryMemberAuths()) }
