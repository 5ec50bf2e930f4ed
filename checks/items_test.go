package checks

import (
	"testing"

	"github.com/tlsready/tlsready/facts"
)

func TestItemsAreValid(t *testing.T) {
	if err := facts.Validate(Items()); err != nil {
		t.Fatal(err)
	}
}
