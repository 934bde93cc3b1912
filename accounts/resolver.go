package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Resolver finds account JWTs by account public key (operator mode). Fetch may block (an HTTP
// request); it must honour ctx and be safe for concurrent use.
type Resolver interface {
	Fetch(ctx context.Context, account string) (string, error)
}

// ErrAccountNotFound is a resolver's answer for an account it does not know (nats-server's
// ErrMissingAccount, "account missing").
var ErrAccountNotFound = errors.New("account missing")

// MemoryResolver is resolver: MEMORY. Its JWTs come from resolver_preload (or Store); it never
// fetches anything.
type MemoryResolver struct {
	mu sync.RWMutex
	m  map[string]string
}

// NewMemoryResolver returns a MEMORY resolver holding preload (account public key -> JWT).
func NewMemoryResolver(preload map[string]string) Resolver {
	r := &MemoryResolver{m: make(map[string]string, len(preload))}
	for k, v := range preload {
		r.m[k] = v
	}
	return r
}

// Fetch returns the stored JWT, or ErrAccountNotFound.
func (r *MemoryResolver) Fetch(_ context.Context, account string) (string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if j, ok := r.m[account]; ok {
		return j, nil
	}
	return "", ErrAccountNotFound
}

// Store adds or replaces an account's JWT.
func (r *MemoryResolver) Store(account, jwt string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[account] = jwt
}

// URLFetchTimeout bounds one account fetch (nats-server DEFAULT_ACCOUNT_FETCH_TIMEOUT).
const URLFetchTimeout = 1900 * time.Millisecond

// maxJWTSize bounds a fetched JWT; account JWTs are a few KiB.
const maxJWTSize = 1 << 20

// URLResolver is resolver: URL("http://host/jwt/v1/accounts/"): it fetches an account's JWT
// with GET <url><account public key> and expects 200 with the JWT as the body
// (nats-server accounts.go URLAccResolver). It holds no lock while fetching.
type URLResolver struct {
	url    string
	client *http.Client
}

// NewURLResolver returns a URL resolver for base (a trailing "/" is added if missing).
func NewURLResolver(base string) Resolver {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	tr := &http.Transport{MaxIdleConns: 10, IdleConnTimeout: 30 * time.Second, Proxy: http.ProxyFromEnvironment}
	return &URLResolver{url: base, client: &http.Client{Timeout: URLFetchTimeout, Transport: tr}}
}

// URL returns the base URL.
func (r *URLResolver) URL() string { return r.url }

// Fetch gets the account's JWT. Errors name the URL without its user information.
func (r *URLResolver) Fetch(ctx context.Context, account string) (string, error) {
	u := r.url + account
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("could not fetch <%q>: %v", redactURL(u), err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("could not fetch <%q>: %v", redactURL(u), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("could not fetch <%q>: %v", redactURL(u), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWTSize))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(body)), nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
