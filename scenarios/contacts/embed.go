// Package contacts embeds the `kind: contacts` scenario files: the contacts
// backup prototype of Firefox OS (Gaia apps/system/services/contacts, 2014) and
// its sync extensions, parsed and run by package scenarios.
package contacts

import "embed"

// Files holds every *.yaml file of this directory.
//
//go:embed *.yaml
var Files embed.FS
