//go:build unix

package mutate

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the command in a process group of its own and has
// the timeout end the whole group, so that a run's children end with it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
