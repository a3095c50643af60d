package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeELF writes dir/id/bootstrap: a minimal 64-bit little-endian ELF
// executable for machine, with a PT_INTERP program header when dynamic.
// (Compiling real binaries for two architectures would cost the test a
// toolchain build; `make package` checks real ones.)
func writeELF(t *testing.T, dir, id string, machine elf.Machine, dynamic bool, mode os.FileMode) {
	t.Helper()
	var progs []elf.Prog64
	progs = append(progs, elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Align: 0x1000})
	if dynamic {
		progs = append(progs, elf.Prog64{Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R)})
	}
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT),
		Phoff: 64, Ehsize: 64, Phentsize: 56, Phnum: uint16(len(progs)), Shentsize: 64,
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	var b bytes.Buffer
	require.NoError(t, binary.Write(&b, binary.LittleEndian, h))
	for _, p := range progs {
		require.NoError(t, binary.Write(&b, binary.LittleEndian, p))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, id), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, id, "bootstrap"), b.Bytes(), mode))
}

func TestCheckAcceptsStaticArm64BootstrapsAndNamesEveryOtherProblem(t *testing.T) {
	dir := t.TempDir()
	writeELF(t, dir, "GoodFunction", elf.EM_AARCH64, false, 0o755)
	writeELF(t, dir, "Amd64Function", elf.EM_X86_64, false, 0o755)
	writeELF(t, dir, "DynamicFunction", elf.EM_AARCH64, true, 0o755)
	writeELF(t, dir, "NotExecFunction", elf.EM_AARCH64, false, 0o644)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "ScriptFunction"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ScriptFunction", "bootstrap"), []byte("#!/bin/sh\n"), 0o755))

	summary, err := check(dir, []string{"GoodFunction"})
	require.NoError(t, err)
	assert.Contains(t, summary, "1 functions")

	_, err = check(dir, []string{"GoodFunction", "Amd64Function", "DynamicFunction", "NotExecFunction", "ScriptFunction", "MissingFunction"})
	require.Error(t, err)
	for _, want := range []string{
		"Amd64Function", "not arm64", "DynamicFunction", "dynamic loader", "NotExecFunction", "not executable",
		"ScriptFunction", "not an ELF", "MissingFunction",
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "GoodFunction:")

	_, err = check(dir, nil)
	assert.Error(t, err, "a template without functions is not a package")
}
