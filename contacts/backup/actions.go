package backup

import (
	"strings"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/davclient"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Provider endpoints of the security extensions.
const (
	RevokePath = "/browserid/revoke"
	DeletePath = "/browserid/delete"
)

// deleteAccount is "ability to delete your account" (further work): the switch
// goes OFF first (so nothing provisions a new account behind the user's back),
// then the provider is asked, with an FxA assertion, to delete the account and
// its address book, and the phone forgets the credentials and the sync state.
func (s *Service) deleteAccount(ctx *sim.Ctx) {
	s.setEnabled(ctx, false)
	s.getAccount(ctx, func(ctx *sim.Ctx, email string, verified bool) {
		if email == "" || !verified {
			s.note(ctx, "deleting the account: "+ReasonNoVerifiedUser)
			return
		}
		pp := s.profileFor(email).providers[contacts.ProviderDefault]
		s.calls.Send(ctx, wire.FxAccountsManager, wire.GetAssertion, systemAssertionCall(pp.URL), func(ctx *sim.Ctx, ok bool, v any) {
			assertion, _ := v.(string)
			if !ok || assertion == "" {
				s.note(ctx, "deleting the account: no assertion: "+jsText(v))
				return
			}
			rc, cancel := s.requestContext()
			defer cancel()
			err := davclient.Post(rc, s.cfg.HTTP, s.observe(ctx), strings.TrimSuffix(pp.URL, "/")+DeletePath,
				map[string]string{"assertion": assertion}, "", "")
			if err != nil && davclient.StatusOf(err) != 404 {
				s.status.Reason = "deleting the account failed: " + errText(err)
				s.note(ctx, s.status.Reason)
				return
			}
			delete(s.books, pp.BookURL)
			pp.UserName, pp.Password, pp.BookURL = "", "", ""
			s.status.Reason = "account deleted"
			s.note(ctx, "deleted the account of "+email+" at "+pp.Name+"; backups are OFF")
		})
	})
}

// revokePassword is "revocation of basic auth passwords": the phone asks the
// provider to revoke its own device password and forgets it. With the switch ON
// the next change provisions a new one.
func (s *Service) revokePassword(ctx *sim.Ctx) {
	s.getAccount(ctx, func(ctx *sim.Ctx, email string, _ bool) {
		if email == "" {
			s.note(ctx, "revoking the password: no FxA account signed in")
			return
		}
		pp := s.profileFor(email).providers[contacts.ProviderDefault]
		if pp.UserName == "" {
			s.note(ctx, "revoking the password: this phone has none")
			return
		}
		rc, cancel := s.requestContext()
		defer cancel()
		err := davclient.Post(rc, s.cfg.HTTP, s.observe(ctx), strings.TrimSuffix(pp.URL, "/")+RevokePath, nil, pp.UserName, pp.Password)
		pp.UserName, pp.Password, pp.BookURL = "", "", ""
		if err != nil {
			s.note(ctx, "revoking the password: "+errText(err)+" (forgotten on the phone anyway)")
			return
		}
		s.note(ctx, "revoked this phone's password for "+email)
	})
}
