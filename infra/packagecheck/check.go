package main

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// check verifies the bootstrap of every function in ids under dir and
// answers a one-line summary, or every problem it found.
func check(dir string, ids []string) (string, error) {
	if len(ids) == 0 {
		return "", errors.New("the template has no function")
	}
	var problems []string
	var total int64
	for _, id := range ids {
		size, err := checkBootstrap(filepath.Join(dir, id, "bootstrap"))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		total += size
	}
	if len(problems) > 0 {
		return "", errors.New(strings.Join(problems, "\n"))
	}
	return fmt.Sprintf("%d functions: each bootstrap is a static linux/arm64 executable (%.1f MB in all, %.1f MB on average)",
		len(ids), float64(total)/1e6, float64(total)/1e6/float64(len(ids))), nil
}

// checkBootstrap answers the file's size if it is an executable, statically
// linked 64-bit little-endian arm64 ELF.
func checkBootstrap(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if st.Mode()&0o111 == 0 {
		return 0, fmt.Errorf("%s is not executable (mode %v)", path, st.Mode())
	}
	f, err := elf.Open(path)
	if err != nil {
		return 0, fmt.Errorf("%s is not an ELF file: %w", path, err)
	}
	defer f.Close()
	switch {
	case f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB:
		return 0, fmt.Errorf("%s is %v %v, not 64-bit little-endian", path, f.Class, f.Data)
	case f.Machine != elf.EM_AARCH64:
		return 0, fmt.Errorf("%s is built for %v, not arm64 (EM_AARCH64)", path, f.Machine)
	case f.Type != elf.ET_EXEC:
		return 0, fmt.Errorf("%s is %v, not an executable", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return 0, fmt.Errorf("%s asks for a dynamic loader; the runtime needs a static binary (CGO_ENABLED=0)", path)
		}
	}
	return st.Size(), nil
}
