// Command delete-category-member-auths serves DELETE /groups/{groupID}/categories/{categoryID}/members/{userID}/auths: channelops.DeleteCategoryMemberAuths.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.DeleteCategoryMemberAuths()) }
