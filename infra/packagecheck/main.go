// Command packagecheck checks a `sam build` output directory: every function
// of template.yaml has <build-dir>/<LogicalId>/bootstrap, a statically
// linked, executable linux/arm64 ELF, as the provided.al2023 arm64 runtime
// runs it.
//
//	go run ./infra/packagecheck [-template template.yaml] BUILD_DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/circles-im/circles/infra/devstack"
)

func main() {
	tpl := flag.String("template", "", "template path (default: the repository's template.yaml)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: packagecheck [-template FILE] BUILD_DIR")
		os.Exit(2)
	}
	path := *tpl
	if path == "" {
		var err error
		if path, err = devstack.TemplatePath(); err != nil {
			fail(err)
		}
	}
	t, err := devstack.LoadTemplate(path)
	if err != nil {
		fail(err)
	}
	fns, err := t.Functions()
	if err != nil {
		fail(err)
	}
	ids := make([]string, len(fns))
	for i, f := range fns {
		ids[i] = f.LogicalID
	}
	report, err := check(flag.Arg(0), ids)
	if err != nil {
		fail(err)
	}
	fmt.Println(report)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "packagecheck:", err)
	os.Exit(1)
}
