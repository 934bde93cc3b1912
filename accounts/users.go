package accounts

import (
	"crypto/subtle"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Connection types a user may be limited to (allowed_connection_types), nats-server's and the
// JWT library's names. Troupe serves STANDARD connections only, so a user whose list is not
// empty and lacks STANDARD cannot connect.
const (
	ConnectionTypeStandard   = "STANDARD"
	ConnectionTypeWebsocket  = "WEBSOCKET"
	ConnectionTypeLeafnode   = "LEAFNODE"
	ConnectionTypeLeafnodeWS = "LEAFNODE_WS"
	ConnectionTypeMqtt       = "MQTT"
	ConnectionTypeMqttWS     = "MQTT_WS"
	ConnectionTypeInProcess  = "IN_PROCESS"
)

// User is a user as configured (authorization block, accounts block, --user/--pass) or as
// decoded from a user JWT. Exactly one of Username and Nkey is set.
type User struct {
	Username string
	Password string // plain, or a bcrypt hash ($2a$, $2b$, $2x$, $2y$)
	Nkey     string // public user nkey (U...); the client signs the INFO nonce with its seed
	Account  string // the account the user binds to; "" means GlobalAccount
	// Permissions nil means the defaults apply: the account's DefaultPermissions for a user of
	// a configured account, Config.DefaultPermissions for a user of $G. A non-nil value, even
	// empty, is used as it is (an empty one allows everything).
	Permissions            *Permissions
	AllowedConnectionTypes []string // empty: any type
	ProxyRequired          bool     // only through a trusted proxy; Troupe has none, so never
}

// label is how logs and Result name the user: the username or the nkey, never a secret.
func (u *User) label() string {
	if u.Nkey != "" {
		return u.Nkey
	}
	return u.Username
}

func (u *User) account() string {
	if u.Account == "" {
		return GlobalAccount
	}
	return u.Account
}

// validBcrypt is nats-server's bcrypt prefix test (auth.go isBcrypt).
var validBcrypt = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.*`)

// IsBcrypt reports whether a configured password or token is a bcrypt hash rather than the
// secret itself.
func IsBcrypt(secret string) bool {
	return strings.HasPrefix(secret, "$") && validBcrypt.MatchString(secret)
}

// comparePasswords checks the client's secret against the configured one: bcrypt when the
// configured one is a hash, otherwise a constant-time comparison (auth.go comparePasswords).
func comparePasswords(configured, client string) bool {
	if IsBcrypt(configured) {
		return bcrypt.CompareHashAndPassword([]byte(configured), []byte(client)) == nil
	}
	return subtle.ConstantTimeCompare([]byte(configured), []byte(client)) == 1
}

// connectionTypes upper-cases a configured list and reports the names it does not know
// (client.go convertAllowedConnectionTypes).
func connectionTypes(list []string) (known map[string]bool, unknown []string) {
	known = make(map[string]bool, len(list))
	for _, t := range list {
		t = strings.ToUpper(t)
		switch t {
		case ConnectionTypeStandard, ConnectionTypeWebsocket, ConnectionTypeLeafnode,
			ConnectionTypeLeafnodeWS, ConnectionTypeMqtt, ConnectionTypeMqttWS,
			ConnectionTypeInProcess:
			known[t] = true
		default:
			unknown = append(unknown, t)
		}
	}
	return known, unknown
}

// CheckConnectionTypes validates an allowed_connection_types list as nats-server's config
// parser does: "invalid connection types [...]" for names it does not know.
func CheckConnectionTypes(list []string) error {
	if _, unknown := connectionTypes(list); len(unknown) > 0 {
		return fmt.Errorf("invalid connection types %q", unknown)
	}
	return nil
}

// standardAllowed reports whether a STANDARD client may use a user with this list (empty
// means all types).
func standardAllowed(list []string) bool {
	if len(list) == 0 {
		return true
	}
	known, _ := connectionTypes(list)
	return known[ConnectionTypeStandard]
}
