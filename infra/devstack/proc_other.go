//go:build !unix

package devstack

import "os/exec"

func setProcAttrs(*exec.Cmd) {}

func startProcess(cmd *exec.Cmd) error { return cmd.Start() }

func killProcess(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
