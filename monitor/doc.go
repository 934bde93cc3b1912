// Package monitor serves Troupe's monitoring HTTP endpoints: nats-server's (/varz, /connz,
// /subsz, /routez, /accountz, /accstatz, /healthz, /stacksz, ...) with the same JSON field names,
// order and omissions, so that nats-top, the Prometheus exporter, dashboards and scripts read
// Troupe as they read nats-server; and what only an actor system can show: /actorz, the live
// supervision tree, and /metrics in Prometheus' text format.
//
// Everything here reads the server through its admin API (actors/admin.go): counters are the
// per-connection and server-wide atomics the data path already keeps, and lists come from the
// supervisors through RequestFuture or from immutable subscription-index snapshots. Monitoring
// adds nothing to the data path: no counter, no lock, no message.
//
// Handler is the handler of the "monitor" HTTP endpoint (-m/--http_port); ProfileHandler that of
// the "profiler" one (--profile). docs/monitoring.md describes the endpoints.
package monitor
