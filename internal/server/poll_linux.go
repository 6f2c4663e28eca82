package server

import (
	"errors"
	"os"
	"syscall"
)

// The epoll calls of the I/O loops (ioloop.go).

// pollEvents receives the ready descriptors of one wait.
type pollEvents [128]syscall.EpollEvent

func (e *pollEvents) fd(i int) int32 { return e[i].Fd }

// pollCreate makes a non-blocking epoll descriptor, so that the netpoller can wait on it.
func pollCreate() (int, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return epfd, nil
}

// pollAdd watches fd for input, level-triggered: input already there is reported.
func pollAdd(epfd, fd int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// pollDel stops watching fd.
func pollDel(epfd, fd int) {
	syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, fd, nil) //nolint:errcheck // closing anyway, or it was never added
}

// pollReady returns the number of ready descriptors, without waiting.
func pollReady(epfd int, events *pollEvents) (int, error) {
	for {
		n, err := syscall.EpollWait(epfd, events[:], 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("epoll_wait", err)
		}
		return n, nil
	}
}

// errNoPoll is returned where there is no epoll (not on Linux).
var errNoPoll = errors.New("I/O loops need epoll")

// wakeCreate makes a non-blocking eventfd for waking a loop from another goroutine.
func wakeCreate() (int, error) {
	fd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return -1, os.NewSyscallError("eventfd2", errno)
	}
	return int(fd), nil
}

var wakeOne = [8]byte{1}

// wakeSignal makes fd readable (a full counter is as good: it is readable already).
func wakeSignal(fd int) { syscall.Write(fd, wakeOne[:]) } //nolint:errcheck // EAGAIN: already signalled

// wakeDrain resets fd.
func wakeDrain(fd int) {
	var b [8]byte
	syscall.Read(fd, b[:]) //nolint:errcheck // EAGAIN: nothing to drain
}
