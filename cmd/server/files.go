package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/config"
)

// ports is the ports file nats-server writes with --ports_file_dir: <dir>/<exe>_<pid>.ports.
type ports struct {
	Nats       []string `json:"nats,omitempty"`
	Monitoring []string `json:"monitoring,omitempty"`
	Cluster    []string `json:"cluster,omitempty"`
	Profile    []string `json:"profile,omitempty"`
	WebSocket  []string `json:"websocket,omitempty"`
}

func portsFile(opts *config.Options) string {
	self, err := os.Executable()
	if err != nil {
		self = exe
	}
	return filepath.Join(opts.PortsFileDir, fmt.Sprintf("%s_%d.ports", filepath.Base(self), os.Getpid()))
}

// writeProcessFiles writes the pid file and the ports file, when configured.
func writeProcessFiles(opts *config.Options, s *actors.Server) error {
	if opts.PidFile != "" {
		if err := os.WriteFile(opts.PidFile, []byte(strconv.Itoa(os.Getpid())), 0o660); err != nil {
			return fmt.Errorf("could not write pidfile: %w", err)
		}
	}
	if opts.PortsFileDir != "" {
		p := ports{Nats: listenerURLs("nats", s.Addr())}
		if a := s.HTTPAddr("monitor"); a != nil {
			p.Monitoring = listenerURLs("http", a)
		}
		if a := s.HTTPAddr("profiler"); a != nil {
			p.Profile = listenerURLs("http", a)
		}
		if a := s.ClusterAddr(); a != nil {
			p.Cluster = listenerURLs("nats", a)
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(portsFile(opts), b, 0o666); err != nil {
			return fmt.Errorf("error writing ports file: %w", err)
		}
	}
	return nil
}

func removeProcessFiles(opts *config.Options) {
	if opts.PidFile != "" {
		_ = os.Remove(opts.PidFile)
	}
	if opts.PortsFileDir != "" {
		_ = os.Remove(portsFile(opts))
	}
}

// listenerURLs lists scheme:// URLs for a listener; an unspecified address lists every interface
// address, as nats-server does.
func listenerURLs(scheme string, addr net.Addr) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{scheme + "://" + addr.String()}
	}
	port := strconv.Itoa(tcp.Port)
	if !tcp.IP.IsUnspecified() {
		return []string{scheme + "://" + net.JoinHostPort(tcp.IP.String(), port)}
	}
	var urls []string
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			urls = append(urls, scheme+"://"+net.JoinHostPort(ipn.IP.String(), port))
		}
	}
	if len(urls) == 0 {
		urls = []string{scheme + "://" + net.JoinHostPort("127.0.0.1", port)}
	}
	return urls
}
