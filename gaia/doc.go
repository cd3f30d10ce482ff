// Package gaia is the Gaia System app side of Firefox Accounts on Firefox OS
// (2015, "V5" of apps/system/js/fxa_manager.js), as mozidsim actors:
//
//   - FxAccountsManager (apps/system/js/fxa_manager.js): turns Gecko's
//     mozFxAccountsUnsolChromeEvent UI requests into FxAccountsUI calls and
//     answers with mozFxAccountsRPContentEvent.
//   - FxAccountsUI (apps/system/js/fxa_ui.js): one flow at a time; loads the FxA
//     iframe into the dialog, reports done/error to whoever asked last.
//   - FxAccountsDialog (apps/system/js/fxa_dialog.js, a SystemDialog) and
//     SystemDialogManager (apps/system/js/system_dialog_manager.js): Home and
//     long-press Home hide the active dialog with that reason.
//   - FxAccountsClient (apps/system/js/fxa_client.js): the module's account
//     requests as mozFxAccountsContentEvent to Gecko's FxAccountsMgmtService.
//   - FxaModule (apps/system/fxa/: fxam_manager.js, fxam_ui.js,
//     fxam_navigation.js, fxam_server_request.js, fxam_errors.js and the
//     js/screens/fxam_*.js screens): the dialog's content, a looplab/fsm machine
//     over the screens (DialogMachine).
//   - Settings (the Settings app's Firefox Accounts panel): device sign-in/out.
//
// Spawn starts them all on a system and returns a handle whose DialogState tells
// a scenario runner what the user currently sees. Behaviour follows gaia-fxa.md
// §2, §4–§6 and §11; every Gaia-internal hop uses the historic method name (the
// exported constants below).
//
// Simplifications, all deliberate:
//   - No IAC clients are simulated: onlogin/onverified/onlogout relays and the
//     fxa-mgmt port are recorded as notes only. Settings talks to Gecko's
//     FxAccountsMgmtService directly.
//   - FTU is never running, so no isftu parameter and no COPPA skip.
//   - The closing animation ends at once; Enter key, show-password,
//     forgot-password, ToS/PP screens are not modelled.
//   - An error overlay is dismissed implicitly by the next user input (the user
//     taps OK first); a pending server request makes every module input wait: it
//     is refused with a note "refused <input>" naming the reason (Home still works,
//     it goes through the System app).
package gaia
