// Package coldstart measures how fast a function binary starts, the way
// Lambda starts it: a minimal Runtime API (runtime.go) hands the process one
// invocation, and the clock runs from just before the process is started to
// its first GET /next (init) and to its first response. `make bench` runs it
// for functions and for hello (an aws-lambda-go handler that does nothing),
// built with the same flags, and reports the ratios.
package coldstart
