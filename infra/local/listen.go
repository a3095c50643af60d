package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// listen is the API's listener: the socket that infra/portgate.py holds and
// hands down (CIRCLES_LISTEN_FD), so that `make run` answers 503 from its
// first second, while this program still compiles; else a new one on
// 127.0.0.1:port. ready, called once the server accepts on it, tells the
// gate to stop answering (it closes CIRCLES_LISTEN_READY_FD).
func listen(port string) (ln net.Listener, ready func(), err error) {
	fd, ok := envFD("CIRCLES_LISTEN_FD")
	if !ok {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
		return ln, func() {}, err
	}
	f := os.NewFile(fd, "inherited listener")
	ln, err = net.FileListener(f) // a dup: f is ours to close
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("the listener handed down in CIRCLES_LISTEN_FD: %w", err)
	}
	readyFD, hasReady := envFD("CIRCLES_LISTEN_READY_FD")
	// Function processes must not see them (they inherit no such fds).
	os.Unsetenv("CIRCLES_LISTEN_FD")
	os.Unsetenv("CIRCLES_LISTEN_READY_FD")
	return ln, func() {
		if hasReady {
			os.NewFile(readyFD, "gate ready pipe").Close()
		}
	}, nil
}

func envFD(name string) (uintptr, bool) {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 3 {
		return 0, false
	}
	return uintptr(n), true
}
