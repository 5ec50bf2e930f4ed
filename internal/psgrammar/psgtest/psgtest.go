// Package psgtest gives tests one PowerShell grammar Validator (internal/psgrammar) per test
// binary, and the repository's rule when the grammar is not installed (internal/labenv): skip,
// or fail under CI. Tests only.
package psgtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/internal/psgrammar"
)

// Opener returns a function that starts the Validator of the installed grammar on its first call
// and returns the same one after. Hold it in a variable of the test package:
//
//	var grammar = psgtest.Opener()
//
// The node process ends with the test binary (it exits when its stdin closes).
func Opener() func() (*psgrammar.Validator, error) {
	return sync.OnceValues(func() (*psgrammar.Validator, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return psgrammar.FromEnv(ctx)
	})
}

// Require returns the Validator, or skips the test (fails it under CI=true) when the grammar is
// not installed. Another error fails the test.
func Require(tb testing.TB, open func() (*psgrammar.Validator, error)) *psgrammar.Validator {
	tb.Helper()
	v, err := open()
	if errors.Is(err, psgrammar.ErrNotInstalled) {
		labenv.Require(tb, err.Error())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// ScriptValidator returns the Validator's ScriptError for winrmsim.Options.ScriptValidator. When
// the grammar is not installed it returns nil (the simulated hosts then judge no syntax) and logs
// why, or fails the test under CI=true: the tests that start simulated hosts still run on a
// machine without node.
func ScriptValidator(tb testing.TB, open func() (*psgrammar.Validator, error)) func(context.Context, string) (string, error) {
	tb.Helper()
	v, err := open()
	if errors.Is(err, psgrammar.ErrNotInstalled) {
		if labenv.CI() {
			tb.Fatal(err)
		}
		tb.Logf("simulated hosts do not check PowerShell syntax: %v", err)
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return v.ScriptError
}
