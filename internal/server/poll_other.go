//go:build !linux

package server

import "errors"

// Without epoll there are no I/O loops: every connection has a goroutine of its own.

type pollEvents [1]struct{}

func (e *pollEvents) fd(int) int32 { return -1 }

// errNoPoll is returned where there is no epoll.
var errNoPoll = errors.New("I/O loops need epoll")

func pollCreate() (int, error)                       { return -1, errNoPoll }
func pollAdd(epfd, fd int) error                     { return errNoPoll }
func pollDel(epfd, fd int)                           {}
func pollReady(epfd int, e *pollEvents) (int, error) { return 0, errNoPoll }

func readNow(fd int, b []byte) (int, error)  { return -1, errNoPoll }
func writeNow(fd int, b []byte) (int, error) { return -1, errNoPoll }

func wakeCreate() (int, error) { return -1, errNoPoll }
func wakeSignal(fd int)        {}
func wakeDrain(fd int)         {}
