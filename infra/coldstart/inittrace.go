package coldstart

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PackageInit is one package's init as GODEBUG=inittrace=1 reports it.
type PackageInit struct {
	Package string
	Clock   time.Duration
	Bytes   int64
}

// ParseInitTrace reads the "init <package> @<t> ms, <clock> ms clock,
// <bytes> bytes, <n> allocs" lines of out, in order, and skips the rest.
func ParseInitTrace(out string) []PackageInit {
	var inits []PackageInit
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[3] != "ms," || f[6] != "clock," || f[8] != "bytes," {
			continue
		}
		ms, err1 := strconv.ParseFloat(f[4], 64)
		bytes, err2 := strconv.ParseInt(f[7], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		inits = append(inits, PackageInit{Package: f[1], Clock: time.Duration(math.Round(ms * 1e6)), Bytes: bytes})
	}
	return inits
}

// InitTrace starts bin runs times with GODEBUG=inittrace=1 and no Runtime
// API (it exits once lambda.Start finds none, after every package init) and
// answers each package's median clock and its bytes, costliest first.
func InitTrace(ctx context.Context, bin string, env []string, runs int) ([]PackageInit, error) {
	clocks := map[string][]time.Duration{}
	bytes := map[string]int64{}
	for range runs {
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = append(slices.Clone(env), "GODEBUG=inittrace=1")
		out, _ := cmd.CombinedOutput() // it fails without a Runtime API
		inits := ParseInitTrace(string(out))
		if len(inits) == 0 {
			return nil, fmt.Errorf("%s printed no init trace: %s", bin, out)
		}
		for _, in := range inits {
			clocks[in.Package] = append(clocks[in.Package], in.Clock)
			bytes[in.Package] = in.Bytes
		}
	}
	var med []PackageInit
	for p, cs := range clocks {
		med = append(med, PackageInit{Package: p, Clock: Median(cs), Bytes: bytes[p]})
	}
	sort.Slice(med, func(i, j int) bool {
		if med[i].Clock != med[j].Clock {
			return med[i].Clock > med[j].Clock
		}
		return med[i].Package < med[j].Package
	})
	return med, nil
}

// Sum is the total clock and bytes of inits.
func Sum(inits []PackageInit) (time.Duration, int64) {
	var c time.Duration
	var b int64
	for _, in := range inits {
		c, b = c+in.Clock, b+in.Bytes
	}
	return c, b
}

// LoadAverage is the machine's 1-minute load average, or "?" where
// /proc/loadavg is not readable.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
