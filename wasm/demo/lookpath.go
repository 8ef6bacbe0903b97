package demo

import "os/exec"

var lookPath = exec.LookPath
