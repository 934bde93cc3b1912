package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/troupe/troupe/actors"
)

// trapSignals starts catching the signals the server handles; handleSignals then acts on them.
// Catching them before the server (and its pid file) exists means that a signal sent early is
// acted on once the server runs, instead of killing the process with the default action.
func trapSignals() chan os.Signal {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	return ch
}

// handleSignals maps nats-server's signals onto the server: SIGINT and SIGTERM stop it (SIGTERM
// is ignored while lame duck is under way, as nats-server does), SIGUSR2 enters lame duck,
// SIGUSR1 reopens the log file, SIGHUP (reload) is logged: reload is not supported yet.
func handleSignals(ch chan os.Signal, s *actors.Server, logs *logOutput, log *slog.Logger) {
	go func() {
		lameDuck := false
		for {
			select {
			case sig := <-ch:
				log.Info(fmt.Sprintf("Trapped %q signal", sig))
				switch sig {
				case syscall.SIGINT:
					s.Shutdown()
				case syscall.SIGTERM:
					if !lameDuck {
						s.Shutdown()
					}
				case syscall.SIGUSR2:
					lameDuck = true
					s.LameDuck()
				case syscall.SIGUSR1:
					reopenLog(logs, log)
				case syscall.SIGHUP:
					log.Warn("Configuration reload is not supported yet; the running configuration is unchanged")
				}
			case <-s.Done():
				signal.Stop(ch)
				return
			}
		}
	}()
}

// reopenLog reopens the log file (after a rotation) and says so, in nats-server's words.
func reopenLog(logs *logOutput, log *slog.Logger) {
	if logs.path == "" {
		log.Info("File log re-open ignored, not a file logger")
		return
	}
	if err := logs.reopen(); err != nil {
		log.Error("reopening the log file: " + err.Error())
		return
	}
	log.Info("File log re-opened")
}

// sendSignal implements --signal <command>[=<pid or pid file>].
func sendSignal(arg string) error {
	command, target, _ := strings.Cut(arg, "=")
	if strings.Contains(target, "=") {
		return fmt.Errorf("invalid signal parameters: %q", arg)
	}
	var sig syscall.Signal
	switch command {
	case "stop":
		sig = syscall.SIGKILL
	case "quit":
		sig = syscall.SIGINT
	case "term":
		sig = syscall.SIGTERM
	case "reopen":
		sig = syscall.SIGUSR1
	case "reload":
		sig = syscall.SIGHUP
	case "ldm":
		sig = syscall.SIGUSR2
	default:
		return fmt.Errorf("unknown signal %q", command)
	}
	pids, err := signalTargets(target)
	if err != nil {
		return err
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil {
			return fmt.Errorf("signal %q %d: %w", command, pid, err)
		}
	}
	return nil
}

// signalTargets resolves a pid, a pid file, or (when empty) the one other process running this
// executable.
func signalTargets(target string) ([]int, error) {
	if target != "" {
		if b, err := os.ReadFile(target); err == nil {
			target = strings.TrimSpace(string(b))
		}
		pid, err := strconv.Atoi(target)
		if err != nil {
			return nil, fmt.Errorf("invalid pid: %s", target)
		}
		return []int{pid}, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, errors.New("unable to resolve pid, try providing one")
	}
	name := filepath.Base(self)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, errors.New("unable to resolve pid, try providing one")
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && filepath.Base(exe) == name {
			pids = append(pids, pid)
		}
	}
	switch len(pids) {
	case 0:
		return nil, fmt.Errorf("no %s processes running", name)
	case 1:
		return pids, nil
	default:
		msg := fmt.Sprintf("multiple %s processes running:", name)
		for _, p := range pids {
			msg += fmt.Sprintf("\n%d", p)
		}
		return nil, errors.New(msg)
	}
}
