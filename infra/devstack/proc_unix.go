//go:build unix && !linux

package devstack

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts the child in its own process group (see proc_linux.go).
// There is no Pdeathsig outside Linux; an orphaned child still exits soon,
// because its Runtime API connection fails once this process is gone.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func startProcess(cmd *exec.Cmd) error { return cmd.Start() }

// killProcess kills the child's whole process group.
func killProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
