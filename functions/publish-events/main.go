// Command publish-events publishes the outbox events of the table's stream to the SNS topic.
package main

import "github.com/circles-im/circles/shared/publish"

func main() { publish.Start() }
