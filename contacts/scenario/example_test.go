package scenario_test

import (
	"fmt"
	"os"

	"github.com/mozidsim/mozidsim/contacts/scenario"
)

// A phone backs one contact up: provisioning with an FxA assertion, then a PUT.
func Example() {
	data := []byte(`kind: contacts
name: hello-backup
accounts: [{email: alice@example.com}]
devices: [{name: phone, user: alice@example.com}]
steps:
  - {contacts: add, device: phone, as: p, contact: {name: [Prunella], tel: [{value: "+15555550100"}]}}
expect:
  server: [{account: alice@example.com, passwords: 1, cards: [{name: Prunella, tel: ["+15555550100"]}]}]
  devices: {phone: {state: idle, provisionings: 1, uploaded: 1}}
`)
	code := scenario.RunFile("hello.yaml", data, false, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// PASS hello-backup
	// exit 0
}
