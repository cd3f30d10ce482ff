package explain

import (
	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// contactsRules explain the second system: the 2014 prototype that backs
// contacts up to CardDAV (seed contacts-sync-prototype; gaia-fxa §10.2). Its
// hops are beyond the mozId walkthroughs, so they carry no seed tag; "steps
// 1–8" are the prototype page's provisioning steps.
var contactsRules = []rule{
	{From: backupAddr, To: mozContacts, Name: contacts.AddEventListener,
		Caller: "backup.js init", Callee: "navigator.mozContacts.oncontactchange",
		Why: "At start-up the backup service puts an immortal contactchange listener on navigator.mozContacts, so every new, changed or removed contact reaches it (the prototype's \"listen for new contacts and for modifications\")."},
	{From: mozContacts, To: backupAddr, Name: contacts.ContactChange,
		Caller: "ContactManager", Callee: "backup.js oncontactchange",
		Why:  "mozContacts fires contactchange with the contact's id and the reason (create, update, remove); the service queues the id and processes the queue on a later turn.",
		Show: []string{"contactID", "reason"}},
	{Kind: "call", From: mozContacts, To: mozContacts, Name: "mozContacts.*",
		Caller: "an app on the phone", Callee: "navigator.mozContacts",
		Why:  "A contact is saved or removed on the phone, as the Contacts app would (a scenario step); mozContacts stores it and tells its listeners.",
		Show: []string{"."}},
	{From: backupAddr, To: backupAddr, Name: "contacts-backup:process",
		Caller: "backup.js", Callee: "backup.js process (later turn)",
		Why: "The queue is processed on a later turn (setTimeout(process, 0), or after the batch delay when edits come in bursts), so several changes go out in one round."},
	{From: backupAddr, To: backupAddr, Name: "contacts-backup:retry",
		Caller: "backup.js", Callee: "backup.js (retry timer)",
		Why: "An upload failed on the network or the server; the retry timer fires after its back-off and the round starts again."},
	{From: backupAddr, To: backupAddr, Name: "contacts-backup:periodic-sync",
		Caller: "backup.js", Callee: "backup.js (sync timer)",
		Why: "The periodic sync timer fires: the service pulls what other devices changed on the server, then pushes its own changes."},
	{From: backupAddr, To: manager, Name: wire.GetAccount,
		Caller: "backup.js", Callee: "FxAccountsManager.getAccount",
		Why: "Before a round the service asks who is signed in: backups need a Firefox Account, whose assertion provisions the CardDAV credentials."},
	{From: manager, To: backupAddr, Name: wire.GetAccount + wire.ResolvedSuffix,
		Caller: "FxAccountsManager.getAccount", Callee: "backup.js",
		Why:  "The manager answers with the signed-in account, or null: then nothing is backed up until someone signs in.",
		Show: []string{"value"}},
	{From: backupAddr, To: manager, Name: wire.GetAssertion,
		Caller: "backup.js provision", Callee: "FxAccountsManager.getAssertion",
		Why:  "The service has no provider username and password yet (or the provider refused them with 401), so it asks for an FxA assertion for the provider's audience (steps 1–2).",
		Show: []string{"audience"}},
	{From: manager, To: backupAddr, Name: wire.GetAssertion + wire.ResolvedSuffix,
		Caller: "FxAccountsManager.getAssertion", Callee: "backup.js provision",
		Why: "With the backed assertion the service calls the provider's provisioning API, which creates the account if needed and returns a device-specific password; the service stores both (steps 2–6)."},
	{From: manager, To: backupAddr, Name: "*" + wire.RejectedSuffix,
		Caller: "FxAccountsManager", Callee: "backup.js",
		Why:  "The manager refused (nobody signed in, unverified, offline): this round stops and the queue waits.",
		Show: []string{"reason"}},
	{From: backupAddr, To: mozContacts, Name: contacts.GetAll,
		Caller: "backup.js reconcile", Callee: "navigator.mozContacts.getAll",
		Why: "The service reads every contact on the phone to compare it with what it has backed up: what is new or changed goes out."},
	{From: backupAddr, To: mozContacts, Name: contacts.Find,
		Caller: "backup.js", Callee: "navigator.mozContacts.find",
		Why:  "The service loads a queued contact by id, to turn it into a vCard for the CardDAV PUT (step 7).",
		Show: []string{"id"}},
	{From: backupAddr, To: mozContacts, Name: contacts.Save,
		Caller: "backup.js sync", Callee: "navigator.mozContacts.save",
		Why: "A contact changed on the server (by another device) is written to the phone: the vCard turned back into a mozContact."},
	{From: backupAddr, To: mozContacts, Name: contacts.Remove,
		Caller: "backup.js sync", Callee: "navigator.mozContacts.remove",
		Why: "A contact deleted on the server is removed from the phone."},
	{From: mozContacts, To: backupAddr, Name: "*" + wire.ResolvedSuffix,
		Caller: "navigator.mozContacts", Callee: "backup.js",
		Why: "mozContacts answers the service's request."},
	{From: mozContacts, To: backupAddr, Name: "*" + wire.RejectedSuffix,
		Caller: "navigator.mozContacts", Callee: "backup.js",
		Why:  "mozContacts refused the request (the contact is gone, or changed since it was read).",
		Show: []string{"reason"}},
	{From: settingsApp, To: backupAddr, Name: contacts.IACSettings,
		Caller: "Contacts app settings", Callee: "backup.js (Inter-App Communication)",
		Why:  "The Contacts app's settings (the ON/OFF switch, or the user's own CardDAV server) reach the System app's service over Inter-App Communication.",
		Show: []string{"action"}},
	{From: "*", To: backupAddr, Name: "contacts-backup:*",
		Caller: "the person holding the phone", Callee: "backup.js",
		Why: "An action on the service (sync now, restore, delete the provider account, revoke the device password)."},
	{From: "*", To: backupAddr, Name: "fxaccounts:*",
		Caller: "FxAccounts", Callee: "backup.js",
		Why: "The FxA account changed: on sign-in the service backs up what waited; on sign-out backups stop."},
	{From: mgmt, To: backupAddr, Name: wire.MozFxAccountsUnsolChromeEvent,
		Caller: "FxAccountsMgmtService", Callee: "backup.js (a System-window listener)",
		Why:  "The service listens in the System window like fxa_manager.js: onlogin and onverified send what waited, onlogout stops backups.",
		Show: []string{"eventName"}},
}

const (
	backupAddr  = string(contacts.Backup)
	mozContacts = string(contacts.MozContacts)
	settingsApp = string(contacts.ContactsSettings)
)
