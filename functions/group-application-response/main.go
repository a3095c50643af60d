// Command group-application-response serves PUT /groups/{groupID}/applications/{userID}: groupops.GroupApplicationResponse.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GroupApplicationResponse()) }
