package scenarios_test

import (
	"fmt"

	"github.com/mozidsim/mozidsim/scenarios"
)

// A contacts scenario is a scenario like any other: the same header, Parse and
// Run. A phone backs one contact up, provisioning with an FxA assertion, then a PUT.
func ExampleRun_contacts() {
	sc, err := scenarios.Parse("hello.yaml", []byte(`kind: contacts
name: hello-backup
about: One contact, backed up.
accounts: [{email: alice@example.com}]
devices: [{name: phone, user: alice@example.com}]
steps:
  - {contacts: add, device: phone, as: p, contact: {name: [Prunella], tel: [{value: "+15555550100"}]}}
expect:
  server: [{account: alice@example.com, passwords: 1, cards: [{name: Prunella, tel: ["+15555550100"]}]}]
  devices: {phone: {state: idle, provisionings: 1, uploaded: 1}}
`))
	if err != nil {
		panic(err)
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("pass:", res.Pass())
	for _, l := range res.BackupLogs["phone"][:2] {
		fmt.Println(l.Text)
	}
	// Output:
	// pass: true
	// provisioning credentials from Fruux with an FxA assertion
	// POST /browserid/login -> 200 OK
}
