package accounts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/troupe/troupe/subjects"
)

// A scoped signing key's template may use these in its subjects (auth.go
// processUserPermissionsTemplate): {{name()}}, {{subject()}}, {{account-name()}},
// {{account-subject()}}, {{tag(x)}}, {{account-tag(x)}}. Tags expand to every value of the
// tag ("x:value"), so one subject can become several.
var mustache = regexp.MustCompile(`{{2}([^}]+)}{2}`)

// maxTemplateExpansions bounds the subjects one template list may produce (nats-server's
// maxPermTemplateSubjectExpansions).
const maxTemplateExpansions = 4096

var errTemplateExpansion = errors.New("permission template expansion limit exceeded")

// applyTemplate returns the scope's template with its permission subjects filled in for the
// user juc of account acc. Allow lists drop subjects that come out invalid; deny lists fail.
// An allow list that ends up empty though it was not becomes a deny of ">".
func applyTemplate(lim jwt.UserPermissionLimits, juc *jwt.UserClaims, acc *Account) (jwt.UserPermissionLimits, error) {
	// The template is shared by every user of the key: work on copies of its lists.
	lim.Permissions.Pub.Allow = append(jwt.StringList(nil), lim.Permissions.Pub.Allow...)
	lim.Permissions.Pub.Deny = append(jwt.StringList(nil), lim.Permissions.Pub.Deny...)
	lim.Permissions.Sub.Allow = append(jwt.StringList(nil), lim.Permissions.Sub.Allow...)
	lim.Permissions.Sub.Deny = append(jwt.StringList(nil), lim.Permissions.Sub.Deny...)
	subAllowSet := len(lim.Permissions.Sub.Allow) > 0
	pubAllowSet := len(lim.Permissions.Pub.Allow) > 0
	t := templater{juc: juc, acc: acc}
	var err error
	p := &lim.Permissions
	if p.Sub.Allow, err = t.expand(p.Sub.Allow, false); err != nil {
		return jwt.UserPermissionLimits{}, err
	}
	if p.Sub.Deny, err = t.expand(p.Sub.Deny, true); err != nil {
		return jwt.UserPermissionLimits{}, err
	}
	if p.Pub.Allow, err = t.expand(p.Pub.Allow, false); err != nil {
		return jwt.UserPermissionLimits{}, err
	}
	if p.Pub.Deny, err = t.expand(p.Pub.Deny, true); err != nil {
		return jwt.UserPermissionLimits{}, err
	}
	if subAllowSet && len(p.Sub.Allow) == 0 {
		p.Sub.Deny.Add(">")
	}
	if pubAllowSet && len(p.Pub.Allow) == 0 {
		p.Pub.Deny.Add(">")
	}
	return lim, nil
}

type templater struct {
	juc *jwt.UserClaims
	acc *Account
}

func (t *templater) expand(list jwt.StringList, strict bool) (jwt.StringList, error) {
	found := false
	for _, s := range list {
		if mustache.MatchString(s) {
			found = true
			break
		}
	}
	if !found {
		return list, nil
	}
	out := make(jwt.StringList, 0, len(list))
	for _, s := range list {
		marks := mustache.FindAllString(s, -1)
		values := make([][]string, len(marks))
		for i, m := range marks {
			v, err := t.values(s, m, strict)
			if err != nil {
				return nil, err
			}
			values[i] = v
		}
		n := 1
		for _, v := range values {
			if len(v) == 0 {
				n = 0
				break
			}
			if n > maxTemplateExpansions/len(v) {
				return nil, fmt.Errorf("%w: %d", errTemplateExpansion, maxTemplateExpansions)
			}
			n *= len(v)
		}
		if len(out) > maxTemplateExpansions-n {
			return nil, fmt.Errorf("%w: %d", errTemplateExpansion, maxTemplateExpansions)
		}
		for _, combo := range product(values) {
			subj := s
			for j, m := range marks {
				subj = strings.ReplaceAll(subj, m, combo[j])
			}
			if subjects.Valid([]byte(subj)) {
				out = append(out, subj)
			} else if strict {
				return nil, errors.New("generated invalid subject")
			}
		}
	}
	return out, nil
}

// values returns what one {{...}} mark stands for.
func (t *templater) values(subject, mark string, strict bool) ([]string, error) {
	op := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(mark, "{{"), "}}"))
	switch {
	case strings.EqualFold(op, "name()"):
		return []string{t.juc.Name}, nil
	case strings.EqualFold(op, "subject()"):
		return []string{t.juc.Subject}, nil
	case strings.EqualFold(op, "account-name()"):
		return []string{t.acc.NameTag}, nil
	case strings.EqualFold(op, "account-subject()"):
		return []string{t.juc.IssuerAccount}, nil
	}
	var tags []string
	var name string
	switch {
	case len(op) >= 4 && strings.EqualFold(op[:4], "tag(") && strings.HasSuffix(op, ")"):
		tags, name = t.juc.Tags, op[4:len(op)-1]
	case len(op) >= 12 && strings.EqualFold(op[:12], "account-tag(") && strings.HasSuffix(op, ")"):
		tags, name = t.acc.Tags, op[12:len(op)-1]
	default:
		return nil, fmt.Errorf("template operation in %q: %q is not defined", subject, op)
	}
	prefix := strings.ToLower(name) + ":"
	var vals []string
	for _, tag := range tags {
		if v, ok := strings.CutPrefix(tag, prefix); ok {
			vals = append(vals, v)
		}
	}
	if len(vals) > 0 {
		return vals, nil
	}
	if strict {
		return nil, fmt.Errorf("generated invalid subject %q: %q is not defined", subject, name)
	}
	return []string{" "}, nil // an invalid subject, dropped
}

// product is the cartesian product of the value lists, in order.
func product(lists [][]string) [][]string {
	out := [][]string{nil}
	for _, l := range lists {
		next := make([][]string, 0, len(out)*len(l))
		for _, prefix := range out {
			for _, v := range l {
				next = append(next, append(append([]string(nil), prefix...), v))
			}
		}
		out = next
	}
	return out
}
