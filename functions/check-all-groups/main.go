// Command check-all-groups is the scheduled consistency checker of every group.
package main

import "github.com/circles-im/circles/shared/group"

func main() { group.StartChecker() }
