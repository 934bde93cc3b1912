package actors

import (
	"slices"
	"strings"
	"sync/atomic"
)

// registry is the set of accounts by name. It is published immutably: readers look an account
// up (when a connection binds) without a lock; a new map replaces the old on each addition.
// Start fills it before any actor runs; afterwards only the accounts supervisor adds to it.
type registry struct {
	m atomic.Pointer[map[string]*Account]
}

func (r *registry) get(name string) *Account {
	if m := r.m.Load(); m != nil {
		return (*m)[name]
	}
	return nil
}

// add publishes accs in a new map (copy on write). Only one goroutine at a time may add.
func (r *registry) add(accs ...*Account) {
	next := make(map[string]*Account)
	if m := r.m.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	for _, a := range accs {
		next[a.Name] = a
	}
	r.m.Store(&next)
}

// list returns the accounts sorted by name.
func (r *registry) list() []*Account {
	m := r.m.Load()
	if m == nil {
		return nil
	}
	out := make([]*Account, 0, len(*m))
	for _, a := range *m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Account) int { return strings.Compare(a.Name, b.Name) })
	return out
}
