package fsync

import (
	"encoding/binary"
	"os"
	"syscall"
	"unsafe"
)

// syncer runs one fsync at a time in the kernel with Linux AIO and waits for it in the
// netpoller (see the package doc).
type syncer struct {
	ctx     uintptr               // aio_context_t
	done    *os.File              // eventfd the kernel signals on completion; non-blocking, so pollable
	doneRaw syscall.RawConn       // of done
	drainFn func(fd uintptr) bool // reads done's counter, for doneRaw.Read
	name    string                // of the file being synced, for errors
	iocb    [64]byte              // struct iocb
	iocbs   [1]*byte              // the array io_submit takes: &iocb[0]
	ev      [32]byte              // struct io_event
	cnt     [8]byte               // eventfd counter
}

// Linux AIO ABI (include/uapi/linux/aio_abi.h).
const (
	iocbCmdFsync  = 2
	iocbCmdFdsync = 3
	iocbFlagResfd = 1 << 0
)

// newSyncer sets up an AIO context and its eventfd; nil when the system does not allow
// it.
func newSyncer() *syncer {
	if !littleEndian() {
		return nil // the iocb layout below is the little-endian one
	}
	var ctx uintptr
	if _, _, e := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); e != 0 {
		return nil
	}
	fd, _, e := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if e != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0) //nolint:errcheck // giving up on AIO
		return nil
	}
	s := &syncer{ctx: ctx, done: os.NewFile(fd, "fsync-eventfd")}
	s.iocbs[0] = &s.iocb[0]
	var err error
	if s.doneRaw, err = s.done.SyscallConn(); err != nil {
		s.done.Close()
		syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0) //nolint:errcheck // giving up on AIO
		return nil
	}
	s.drainFn = func(fd uintptr) bool {
		_, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&s.cnt[0])), 8)
		return e != syscall.EAGAIN
	}
	return s
}

// start submits an fsync of f (fdatasync if data). An error means none is in flight
// (the caller syncs itself).
func (s *syncer) start(f *os.File, data bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	s.name = f.Name()
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		clear(s.iocb[:])
		op := uint16(iocbCmdFsync)
		if data {
			op = iocbCmdFdsync
		}
		binary.LittleEndian.PutUint16(s.iocb[16:], op)            // aio_lio_opcode
		binary.LittleEndian.PutUint32(s.iocb[20:], uint32(fd))    // aio_fildes
		binary.LittleEndian.PutUint32(s.iocb[56:], iocbFlagResfd) // aio_flags
		binary.LittleEndian.PutUint32(s.iocb[60:], uint32(s.done.Fd()))
		for {
			_, _, errno = syscall.RawSyscall(syscall.SYS_IO_SUBMIT, s.ctx, 1, uintptr(unsafe.Pointer(&s.iocbs[0])))
			if errno != syscall.EINTR && errno != syscall.EAGAIN {
				return
			}
		}
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// reap reports, without waiting, whether the submitted fsync has completed, and its
// outcome.
func (s *syncer) reap() (bool, error) {
	var ts syscall.Timespec // zero: do not wait
	for {
		n, _, e := syscall.RawSyscall6(syscall.SYS_IO_GETEVENTS, s.ctx, 0, 1, uintptr(unsafe.Pointer(&s.ev[0])), uintptr(unsafe.Pointer(&ts)), 0)
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0:
			return true, &os.PathError{Op: "io_getevents", Path: s.name, Err: e}
		case n == 0:
			return false, nil
		}
		if res := int64(binary.LittleEndian.Uint64(s.ev[16:])); res < 0 {
			return true, &os.PathError{Op: "fsync", Path: s.name, Err: syscall.Errno(-res)}
		}
		return true, nil
	}
}

// wait waits in the netpoller until the submitted fsync completes and returns its
// outcome.
func (s *syncer) wait() error {
	for {
		if done, err := s.reap(); done {
			return err
		}
		if err := s.doneRaw.Read(s.drainFn); err != nil {
			return err
		}
	}
}

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// eventFD is the descriptor the kernel signals when the submitted fsync completes.
func (s *syncer) eventFD() int { return int(s.done.Fd()) }

// drain clears the eventfd's counter, without waiting.
func (s *syncer) drain() {
	syscall.RawSyscall(syscall.SYS_READ, s.done.Fd(), uintptr(unsafe.Pointer(&s.cnt[0])), 8) //nolint:errcheck // EAGAIN: already clear
}

// close releases the AIO context (io_destroy waits for an fsync in flight) and the
// eventfd.
func (s *syncer) close() {
	syscall.Syscall(syscall.SYS_IO_DESTROY, s.ctx, 0, 0) //nolint:errcheck // nothing to do about it
	s.done.Close()
}
