// Command server runs Troupe, a NATS-compatible message broker built as an actor system. It takes
// nats-server's flags and configuration files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/config"
)

const exe = "troupe"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	opts, check, err := configure(args)
	if errors.Is(err, errDone) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", exe, strings.TrimSpace(err.Error()))
		return 1
	}
	if check {
		fmt.Fprintf(os.Stderr, "%s: configuration file %s is valid\n", exe, opts.ConfigFile)
		return 0
	}

	// Trap signals before anything can learn the pid (pid and ports files), so that an early
	// SIGUSR2 or SIGTERM is handled, not fatal; nats-server traps them in NewServer.
	sigs := trapSignals()
	logs, err := newLogOutput(opts.LogFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", exe, err)
		return 1
	}
	log := slog.New(newLogHandler(logs, opts))
	log.Info("Starting Troupe (a nats-server compatible broker)")
	log.Info("  Version:  " + actors.Version)
	if opts.ConfigFile != "" {
		log.Info("  Using configuration file: " + opts.ConfigFile)
	}
	s, err := actors.Start(opts, log, httpEndpoints(opts, log)...)
	if err != nil {
		log.Error(err.Error())
		return 1
	}
	handleSignals(sigs, s, logs, log)
	if err := writeProcessFiles(opts, s); err != nil {
		log.Error(err.Error())
		s.Shutdown()
		<-s.Done()
		return 1
	}
	defer removeProcessFiles(opts)
	<-s.Done()
	return 0
}

// singleUser is the user of authorization { user, password }, which --user and --pass set,
// creating it if the file has none. Beside a users list it makes two kinds of users, which
// accounts.New refuses as nats-server does.
func singleUser(a *accounts.Config) *accounts.User {
	if !a.SingleUser {
		a.SingleUser = true
		a.Users = append([]*accounts.User{{}}, a.Users...)
	}
	return a.Users[0]
}

// errDone ends the program successfully without starting a server (-v, -h, --signal).
var errDone = errors.New("done")

// configure turns the command line (and the configuration file it names) into options; flags
// win over the file, as with nats-server.
func configure(args []string) (opts *config.Options, check bool, err error) {
	fs := flag.NewFlagSet(exe, flag.ContinueOnError)
	fs.Usage = func() { fmt.Print(usage) }
	var (
		fo                                   config.Options
		configFile, signal, routes, clusterU string
		user, pass, token                    string
		showVersion, debugTrace              bool
	)
	fs.StringVar(&fo.Host, "a", "", "")
	fs.StringVar(&fo.Host, "addr", "", "")
	fs.StringVar(&fo.Host, "net", "", "")
	fs.IntVar(&fo.Port, "p", 0, "")
	fs.IntVar(&fo.Port, "port", 0, "")
	fs.StringVar(&fo.ServerName, "n", "", "")
	fs.StringVar(&fo.ServerName, "name", "", "")
	fs.StringVar(&fo.ServerName, "server_name", "", "")
	fs.IntVar(&fo.HTTPPort, "m", 0, "")
	fs.IntVar(&fo.HTTPPort, "http_port", 0, "")
	fs.IntVar(&fo.HTTPSPort, "ms", 0, "")
	fs.IntVar(&fo.HTTPSPort, "https_port", 0, "")
	fs.IntVar(&fo.ProfPort, "profile", 0, "")
	fs.StringVar(&user, "user", "", "")
	fs.StringVar(&pass, "pass", "", "")
	fs.StringVar(&token, "auth", "", "")
	fs.StringVar(&configFile, "c", "", "")
	fs.StringVar(&configFile, "config", "", "")
	fs.StringVar(&fo.LogFile, "l", "", "")
	fs.StringVar(&fo.LogFile, "log", "", "")
	fs.BoolVar(&fo.Debug, "D", false, "")
	fs.BoolVar(&fo.Debug, "debug", false, "")
	fs.BoolVar(&fo.Trace, "V", false, "")
	fs.BoolVar(&fo.Trace, "trace", false, "")
	// -VV and -DVV also trace the system account in nats-server; Troupe has none, so they are
	// -V and -DV.
	fs.BoolVar(&fo.Trace, "VV", false, "")
	fs.BoolVar(&debugTrace, "DV", false, "")
	fs.BoolVar(&debugTrace, "DVV", false, "")
	fs.BoolVar(&fo.Logtime, "T", true, "")
	fs.BoolVar(&fo.Logtime, "logtime", true, "")
	fs.StringVar(&fo.PidFile, "P", "", "")
	fs.StringVar(&fo.PidFile, "pid", "", "")
	fs.StringVar(&fo.PortsFileDir, "ports_file_dir", "", "")
	fs.StringVar(&signal, "sl", "", "")
	fs.StringVar(&signal, "signal", "", "")
	fs.BoolVar(&check, "t", false, "")
	fs.BoolVar(&showVersion, "v", false, "")
	fs.BoolVar(&showVersion, "version", false, "")
	fs.StringVar(&clusterU, "cluster", "", "")
	fs.StringVar(&clusterU, "cluster_listen", "", "")
	fs.StringVar(&fo.Cluster.Name, "cluster_name", "", "")
	fs.StringVar(&routes, "routes", "", "")
	fs.StringVar(&fo.Cluster.Advertise, "cluster_advertise", "", "")
	fs.BoolVar(&fo.Cluster.NoAdvertise, "no_advertise", false, "")
	fs.IntVar(&fo.Cluster.ConnectRetries, "connect_retries", 0, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, false, errDone
		}
		return nil, false, err
	}
	if fs.NArg() > 0 {
		return nil, false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if showVersion {
		fmt.Printf("%s: v%s\n", exe, actors.Version)
		return nil, false, errDone
	}
	if signal != "" {
		if err := sendSignal(signal); err != nil {
			return nil, false, err
		}
		return nil, false, errDone
	}
	if debugTrace {
		fo.Debug, fo.Trace = true, true
	}

	opts = &config.Options{Logtime: true}
	if configFile != "" {
		warnings, err := opts.LoadFile(configFile)
		if check && err == nil && len(warnings) > 0 {
			// -t fails on warnings too, as nats-server's does.
			errs := make([]error, len(warnings))
			for i, w := range warnings {
				errs[i] = w
			}
			return nil, false, errors.Join(errs...)
		}
		for _, w := range warnings {
			fmt.Fprintf(os.Stderr, "%s: warning: %s\n", exe, w)
		}
		if err != nil {
			return nil, false, err
		}
	} else if check {
		return nil, false, errors.New("must specify [-c, --config] option to check configuration file syntax")
	}
	// Flags given on the command line override the file.
	var ferr error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "a", "addr", "net":
			opts.Host = fo.Host
		case "p", "port":
			opts.Port = fo.Port
		case "n", "name", "server_name":
			opts.ServerName = fo.ServerName
		case "m", "http_port":
			opts.HTTPPort = fo.HTTPPort
		case "ms", "https_port":
			opts.HTTPSPort = fo.HTTPSPort
		case "profile":
			opts.ProfPort = fo.ProfPort
		case "user":
			singleUser(&opts.Auth).Username = user
		case "pass":
			singleUser(&opts.Auth).Password = pass
		case "auth":
			opts.Auth.Token = token
		case "l", "log":
			opts.LogFile = fo.LogFile
		case "D", "debug":
			opts.Debug = fo.Debug
		case "V", "VV", "trace":
			opts.Trace = fo.Trace
		case "DV", "DVV":
			opts.Debug, opts.Trace = true, true
		case "T", "logtime":
			opts.Logtime = fo.Logtime
		case "P", "pid":
			opts.PidFile = fo.PidFile
		case "ports_file_dir":
			opts.PortsFileDir = fo.PortsFileDir
		case "cluster", "cluster_listen":
			u, host, port, err := parseClusterURL(clusterU)
			if err != nil {
				ferr = err
				return
			}
			opts.Cluster.Host, opts.Cluster.Port = host, port
			if u.User != nil { // nats-server's overrideCluster: the URL's user is the route login
				opts.Cluster.Username = u.User.Username()
				opts.Cluster.Password, _ = u.User.Password()
			}
		case "cluster_name":
			opts.Cluster.Name = fo.Cluster.Name
		case "cluster_advertise":
			opts.Cluster.Advertise = fo.Cluster.Advertise
		case "no_advertise":
			opts.Cluster.NoAdvertise = fo.Cluster.NoAdvertise
		case "connect_retries":
			opts.Cluster.ConnectRetries = fo.Cluster.ConnectRetries
		case "routes":
			opts.Cluster.Routes = nil // the flag replaces the file's routes
			for _, r := range strings.Split(routes, ",") {
				u, err := url.Parse(strings.TrimSpace(r))
				if err != nil {
					ferr = fmt.Errorf("invalid route url %q", r)
					return
				}
				opts.Cluster.Routes = append(opts.Cluster.Routes, u)
			}
		}
	})
	if ferr != nil {
		return nil, false, ferr
	}
	if routes != "" && clusterU == "" && opts.Cluster.Host == "" && opts.Cluster.Port == 0 {
		return nil, false, errors.New("solicited routes require cluster capabilities, e.g. --cluster")
	}
	if opts.HTTPSPort != 0 {
		return nil, false, errHTTPS
	}
	// Authentication is checked here, not at start, so that -t catches what the server would
	// refuse (a token beside users, an unknown no_auth_user, operators without a resolver).
	if _, err := accounts.New(&opts.Auth); err != nil {
		return nil, false, err
	}
	opts.SetDefaults()
	return opts, check, nil
}

// parseClusterURL reads --cluster nats://host:port. Port -1 (a random port) is not a valid URL
// port, so it is swapped for 0 around the parse, as nats-server's overrideCluster does.
func parseClusterURL(s string) (*url.URL, string, int, error) {
	parse := s
	random := strings.HasSuffix(s, ":-1")
	if random {
		parse = strings.TrimSuffix(s, "-1") + "0"
	}
	u, err := url.Parse(parse)
	if err != nil || u.Host == "" {
		return nil, "", 0, fmt.Errorf("invalid cluster url %q", s)
	}
	host, p, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, "", 0, fmt.Errorf("invalid cluster url %q: %w", s, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, "", 0, fmt.Errorf("invalid cluster url %q: bad port", s)
	}
	if random {
		port = config.RandomPort
	}
	return u, host, port, nil
}
