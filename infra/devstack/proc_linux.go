package devstack

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// setProcAttrs puts the child in its own process group, so that a Ctrl-C in
// the terminal reaches only this process (which then stops its children in
// order) and kill can take the child's own children with it, and asks the
// kernel to SIGKILL the child if its parent dies without cleaning up.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// spawner starts every child from one OS thread that never exits. Pdeathsig
// fires when the parent *thread* ends, and the Go runtime may retire the
// thread an arbitrary goroutine forked from (golang/go#27505), which would
// kill a healthy child.
var spawner struct {
	once sync.Once
	reqs chan func()
}

func startProcess(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked, so the thread lives on
			for f := range spawner.reqs {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawner.reqs <- func() { errc <- cmd.Start() }
	return <-errc
}

// killProcess kills the child's whole process group.
func killProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
