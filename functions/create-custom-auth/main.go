// Command create-custom-auth serves POST /custom-auths: roleops.CreateCustomAuth.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/roleops"
)

func main() { api.Start(roleops.CreateCustomAuth()) }
