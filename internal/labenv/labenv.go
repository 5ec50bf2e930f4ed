// Package labenv gives tests what the lab services of scripts/ left for them: the env file of the
// Samba domain controller (scripts/samba-dc.sh), and the rule that decides between skipping and
// failing when a service is missing. Tests only; no production code imports it.
package labenv

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// CI reports whether the tests run under CI (CI=true), where every service is installed.
func CI() bool { return os.Getenv("CI") == "true" }

// Require skips the test with why, or fails it under CI (CI=true): CI installs and starts every
// service, so a skip there would hide a gap.
func Require(tb testing.TB, why string) {
	tb.Helper()
	if CI() {
		tb.Fatal(why)
	}
	tb.Skip(why)
}

// Samba reads the env file of scripts/samba-dc.sh named by TLSREADY_SAMBA_ENV (KEY=value lines)
// and checks that it has the given keys; without TLSREADY_SAMBA_ENV it calls Require.
func Samba(tb testing.TB, keys ...string) map[string]string {
	tb.Helper()
	path := os.Getenv("TLSREADY_SAMBA_ENV")
	if path == "" {
		Require(tb, "TLSREADY_SAMBA_ENV not set: run scripts/samba-dc.sh and set TLSREADY_SAMBA_ENV=/tmp/tlsready-samba/env (as .ci/run does) for the tests against a real KDC")
	}
	env, err := ReadEnvFile(path)
	if err != nil {
		tb.Fatalf("TLSREADY_SAMBA_ENV: %v", err)
	}
	for _, k := range keys {
		if env[k] == "" {
			tb.Fatalf("%s lacks %s", path, k)
		}
	}
	return env
}

// ReadEnvFile reads an env file of the lab scripts (scripts/samba-dc.sh, scripts/wine.sh): one
// KEY=value a line; blank lines and lines that start with # are passed over.
func ReadEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return env, nil
}
