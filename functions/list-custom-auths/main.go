// Command list-custom-auths serves GET /custom-auths: roleops.ListCustomAuths.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.ListCustomAuths()) }
