// Command cairn-server runs the Cairn server. Its command line follows redis-server's:
//
//	cairn-server [/path/to/cairn.conf] [--port 6380] [--any-directive value ...]
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"cairn/internal/config"
	"cairn/internal/redislog"
	"cairn/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "-v", "--version":
			fmt.Printf("Cairn server v=%s (Redis %s compatible) go=%s\n", server.Version, server.Version, goVersion())
			return 0
		case "-h", "--help":
			usage()
			return 0
		}
	}
	path := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		path, args = args[0], args[1:]
	}
	cfg, err := config.Load(path, args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Redis with no bind directive listens on every interface; Cairn listens on the
	// loopback addresses, as the redis.conf Redis ships does, unless told otherwise.
	if v, _ := cfg.Value("bind"); v == "* -::*" {
		if err := cfg.Set([][2]string{{"bind", "127.0.0.1 -::1"}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	logger, err := newLogger(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger.Info("Cairn is starting", "version", server.Version, "pid", os.Getpid(), "config", path)
	for _, name := range cfg.NotEffective() {
		logger.Warn("Config directive accepted but not yet effective in Cairn", "directive", name)
	}
	if err := os.Chdir(cfg.Dir); err != nil {
		logger.Error("Can't chdir to the configured dir", "dir", cfg.Dir, "err", err)
		return 1
	}
	srv := server.New(cfg, logger)
	srv.ManageGoMemoryLimit()
	srv.ManageGCFloor()
	if err := srv.Listen(); err != nil {
		logger.Error(err.Error())
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range sig {
			if srv.ShutdownOnSignal(s) {
				return
			}
		}
	}()
	if err := srv.Serve(); err != nil {
		logger.Error(err.Error())
		return 1
	}
	logger.Info("Cairn is now ready to exit, bye bye...")
	return 0
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage: ./cairn-server [/path/to/cairn.conf] [options] [-]
       ./cairn-server - (read config from stdin)
       ./cairn-server -v or --version
       ./cairn-server -h or --help

Examples:
       ./cairn-server (run the server with default config)
       ./cairn-server /etc/redis/6379.conf
       ./cairn-server --port 7777
       ./cairn-server /etc/mycairn.conf --loglevel verbose
`)
}

// newLogger logs in redis-server's format to logfile (standard output when empty, as
// Redis does) at loglevel.
func newLogger(cfg *config.Config) (*slog.Logger, error) {
	out := io.Writer(os.Stdout)
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("can't open the log file: %w", err)
		}
		out = f
	}
	return slog.New(redislog.New(out, redislog.ParseLevel(cfg.LogLevel))), nil
}
