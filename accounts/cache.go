package accounts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nkeys"
)

// accountCache holds the account JWTs fetched in operator mode, as nats-server keeps fetched
// accounts registered: an account is fetched once, and again only once it has expired. At most
// one fetch per account runs at a time; other lookups of that account wait for it (or for
// their context). No lock is held during a fetch.
type accountCache struct {
	mu sync.Mutex
	m  map[string]*cacheEntry
}

type cacheEntry struct {
	done chan struct{} // closed when acc/err are set
	acc  *Account
	err  error
}

// LookupAccount returns the account named by an account public key in operator mode, from the
// cache or through the resolver; with a configured account of that name outside operator mode,
// that one. The runtime calls it to resolve the exporting accounts of a JWT account's imports.
// Errors: ErrNoResolver, ErrAccountNotFound or the resolver's error, ErrAccountValidation (not
// signed by a trusted operator, invalid, or not the account asked for), ErrAccountExpired.
func (a *Authenticator) LookupAccount(ctx context.Context, name string) (*Account, error) {
	if !a.operator {
		if acc := a.accounts[name]; acc != nil {
			return acc, nil
		}
		return nil, ErrAccountNotFound
	}
	if a.resolver == nil {
		return nil, ErrNoResolver
	}
	if !nkeys.IsValidPublicAccountKey(name) {
		return nil, fmt.Errorf("will only fetch valid account keys")
	}
	return a.lookup(ctx, name, false)
}

// LookupAccountFresh fetches the account through the resolver even when it is cached, and
// caches the result.
func (a *Authenticator) LookupAccountFresh(ctx context.Context, name string) (*Account, error) {
	if !a.operator || a.resolver == nil || !nkeys.IsValidPublicAccountKey(name) {
		return a.LookupAccount(ctx, name)
	}
	return a.lookup(ctx, name, true)
}

func (a *Authenticator) lookup(ctx context.Context, name string, fresh bool) (*Account, error) {
	c := &a.cache
	c.mu.Lock()
	e := c.m[name]
	expired := false
	if e != nil && !fresh && e.ready() && e.err == nil && e.acc.IsExpired(a.now()) {
		expired = true
	}
	if e == nil || fresh || expired {
		e = a.startFetch(ctx, name)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		if expired {
			return nil, ErrAccountExpired
		}
		return nil, e.err
	}
	return e.acc, nil
}

func (e *cacheEntry) ready() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// startFetch puts a new entry for name in the cache and fetches it in the background, so that
// one caller giving up (its connection closing) does not fail the others waiting. The cache
// lock is held by the caller; the fetch runs without it. A failure is removed from the cache
// so that the next lookup tries again.
func (a *Authenticator) startFetch(ctx context.Context, name string) *cacheEntry {
	e := &cacheEntry{done: make(chan struct{})}
	a.cache.m[name] = e
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), URLFetchTimeout+time.Second)
	go func() {
		defer cancel()
		acc, err := a.fetch(fctx, name)
		a.cache.mu.Lock()
		e.acc, e.err = acc, err
		if err != nil && a.cache.m[name] == e {
			delete(a.cache.m, name)
		}
		a.cache.mu.Unlock()
		close(e.done)
	}()
	return e
}

func (a *Authenticator) fetch(ctx context.Context, name string) (*Account, error) {
	raw, err := a.resolver.Fetch(ctx, name)
	if err != nil {
		return nil, err
	}
	acc, err := a.verifyAccountJWT(raw)
	if err != nil {
		return nil, err
	}
	if acc.Name != name {
		return nil, ErrAccountValidation
	}
	if acc.IsExpired(a.now()) {
		return nil, ErrAccountExpired
	}
	return acc, nil
}

// UpdateAccount verifies a new JWT for an account (as pushed by an account server or nsc) and
// makes it the cached one. It returns the new Account: the runtime then applies its limits and
// closes the account's connections that Account.IsRevoked now refuses.
func (a *Authenticator) UpdateAccount(raw string) (*Account, error) {
	if !a.operator {
		return nil, ErrNoResolver
	}
	acc, err := a.verifyAccountJWT(raw)
	if err != nil {
		return nil, err
	}
	e := &cacheEntry{done: make(chan struct{}), acc: acc}
	close(e.done)
	a.cache.mu.Lock()
	a.cache.m[acc.Name] = e
	a.cache.mu.Unlock()
	if m, ok := a.resolver.(*MemoryResolver); ok {
		m.Store(acc.Name, raw)
	}
	return acc, nil
}
