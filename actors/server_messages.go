package actors

// Messages the root server actor receives.

// shutdown starts the shutdown sequence (SIGTERM, SIGINT, Server.Shutdown).
type shutdown struct{}

// enterLameDuck starts lame-duck mode (SIGUSR2, --signal ldm).
type enterLameDuck struct{}

// graceOver is the root's own timer: the lame-duck grace period has passed.
type graceOver struct{}

// accountsReady comes from the accounts supervisor once the global account is up: connections
// may now be accepted.
type accountsReady struct{}
