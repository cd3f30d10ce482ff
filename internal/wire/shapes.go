package wire

// The JavaScript objects behind the Gecko <-> Gaia custom events. The Go structs
// keep what the actors need (HasError, flat fields); JSObject gives the detail
// object as the historic code built it, which is what traces show. A member
// holding Undefined is an own property whose value is undefined: a trace, like
// the modules' own debug lines (JSON.stringify(detail)), leaves it out.

// JSShaped is a payload that stands for a JavaScript object of another shape
// than its Go fields.
type JSShaped interface {
	JSObject() Obj
}

// AccountIDKey is the account member of a March-2014 content event's data
// (ozten/gaia@bb3e602d apps/system/js/fxa_client.js queryAccount/signIn/signUp:
// {method, accountId, password}).
const AccountIDKey = "accountId"

// JSObject is the detail as built by FxAccountsUIGlue (lissyx/mozilla-central@51cc7196
// FxAccountsUIGlue.js _contentRequest [G-1]; Floorp ContentRequestHelper.jsm
// contentRequest [G-3]): {eventName, id, data: aData}. signInFlow passes no aData,
// so openFlow's data is undefined, in both versions; a nil Data here is that
// undefined, a non-nil empty Obj would be {}. FxAccountsMgmtService.observe sends
// notifications as {eventName} alone.
func (e UnsolChromeEvent) JSObject() Obj {
	if e.ID == "" {
		return Obj{{"eventName", e.EventName}}
	}
	var data any = Undefined
	if e.Data != nil {
		data = e.Data
	}
	return Obj{{"eventName", e.EventName}, {"id", e.ID}, {"data", data}}
}

// JSObject is Gaia fxa_manager.js handleEvent's reply (ozten/gaia@bb3e602d and
// mozilla-b2g/gaia@125d5839 fx_accounts_manager.js, _sendContentEvent): {id, result}
// from the success callback, {id, error} from the error callback; nothing else.
func (e RPContentEvent) JSObject() Obj {
	if e.HasError {
		return Obj{{"id", e.ID}, {"error", e.Error}}
	}
	return Obj{{"id", e.ID}, {"result", e.Result}}
}

// JSObject is FxAccountsMgmtService's reply (_onFulfill / _onReject, 2014 and
// 2015): {id, data} or {id, error}; the sender already turned a falsy value into
// null (aData ? aData : null).
func (e MgmtChromeEvent) JSObject() Obj {
	if e.HasError {
		return Obj{{"id", e.ID}, {"error", e.Error}}
	}
	return Obj{{"id", e.ID}, {"data", e.Data}}
}

// JSObject is Gaia's FxAccountsClient.sendMessage detail {id, data: message}
// (mozilla-b2g/gaia@84c3bf62 fx_accounts_client.js; ozten/gaia@bb3e602d
// fxa_client.js), message being what the API method built: {method} for
// getAccounts, getKeys and logout; {method, email} for queryAccount,
// verificationStatus and resendVerificationEmail; {method, email, password} for
// signIn and signUp. In March 2014 the account member was accountId.
func (e ContentEvent) JSObject() Obj {
	key := "email"
	if e.AccountKey != "" {
		key = e.AccountKey
	}
	data := Obj{{"method", e.Method}}
	switch e.Method {
	case "getAccounts", "getAccount", "getKeys", "logout":
	case "queryAccount", "verificationStatus", "resendVerificationEmail":
		data = append(data, KV{key, e.Email})
	case "signIn", "signUp", "refreshAuthentication":
		data = append(data, KV{key, e.Email}, KV{"password", e.Password})
	default: // not an API method: show what the sender set
		if e.Email != "" {
			data = append(data, KV{key, e.Email})
		}
		if e.Password != "" {
			data = append(data, KV{"password", e.Password})
		}
	}
	return Obj{{"id", e.ID}, {"data", data}}
}
