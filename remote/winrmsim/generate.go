package winrmsim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// GenerateSpec describes a fleet made at run time, for fault and load tests.
type GenerateSpec struct {
	// N is the number of hosts, named SIM-00001, SIM-00002, ...
	N int
	// Seed chooses the fleet: the same spec with the same seed gives the same profiles.
	Seed int64
	// Mix maps a fault (FaultRefuse, FaultTimeout, FaultQuotaThenOK, ...) to the fraction of
	// hosts that get it; round(fraction*N) hosts each. The other hosts are healthy.
	Mix map[string]float64
	// Latency is the latency of the healthy hosts (a Profile.Latency: "0-50ms"); the faulty
	// hosts get none.
	Latency string
	// Base are the profiles the hosts copy (round robin over a seeded shuffle), typically the
	// built-in fleet's healthy ones; their own faults and latencies are replaced.
	// Profile.BasedOn names the one each host copied.
	Base []Profile
}

// Generate makes the profiles of spec: exactly round(Mix[f]*N) hosts with each fault f,
// placed by a seeded shuffle, the rest healthy.
func Generate(spec GenerateSpec) ([]Profile, error) {
	if spec.N < 1 {
		return nil, fmt.Errorf("generate: N %d: want at least 1", spec.N)
	}
	if len(spec.Base) == 0 {
		return nil, errors.New("generate: no base profiles to copy")
	}
	if _, err := ParseLatency(spec.Latency); err != nil {
		return nil, fmt.Errorf("generate: latency: %w", err)
	}
	faults := make([]string, 0, len(spec.Mix))
	for f := range spec.Mix {
		faults = append(faults, f)
	}
	sort.Strings(faults) // map order must not change the fleet
	assigned := make([]string, 0, spec.N)
	for _, f := range faults {
		frac := spec.Mix[f]
		if !knownFault(f) {
			return nil, fmt.Errorf("generate: fault %q: want %s", f, faultList)
		}
		if frac < 0 || frac > 1 || math.IsNaN(frac) {
			return nil, fmt.Errorf("generate: fault %s: fraction %v, want 0..1", f, frac)
		}
		for range int(math.Round(frac * float64(spec.N))) {
			assigned = append(assigned, f)
		}
	}
	if len(assigned) > spec.N {
		return nil, fmt.Errorf("generate: the fault fractions add up to %d hosts of %d", len(assigned), spec.N)
	}
	for len(assigned) < spec.N {
		assigned = append(assigned, "")
	}
	seed := uint64(spec.Seed)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r.Shuffle(len(assigned), func(i, j int) { assigned[i], assigned[j] = assigned[j], assigned[i] })
	base := slices.Clone(spec.Base)
	for _, b := range base {
		// What a generated host adds to its base (a SIM- name, a known fault, the checked
		// latency) is valid: checking each base once checks every host.
		b.Fault, b.Latency = "", ""
		if _, err := compile(b); err != nil {
			return nil, fmt.Errorf("generate: base profile %s: %w", b.Name, err)
		}
	}
	r.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
	width := len(fmt.Sprint(spec.N))
	if width < 5 {
		width = 5
	}
	out := make([]Profile, spec.N)
	for i := range out {
		p := cloneProfile(base[i%len(base)])
		p.BasedOn = p.Name
		p.Name = fmt.Sprintf("SIM-%0*d", width, i+1)
		p.Fault = assigned[i]
		p.Latency = ""
		if p.Fault == "" {
			p.Latency = spec.Latency
		}
		out[i] = p
	}
	return out, nil
}

// cloneProfile copies p with maps of its own, so that changing one generated host does not
// change the others.
func cloneProfile(p Profile) Profile {
	p.Files = maps.Clone(p.Files)
	if p.Registry != nil {
		reg := make(map[string]map[string]RegistryValue, len(p.Registry))
		for k, vals := range p.Registry {
			c := make(map[string]RegistryValue, len(vals))
			for n, v := range vals {
				v.Data = slices.Clone(v.Data)
				c[n] = v
			}
			reg[k] = c
		}
		p.Registry = reg
	}
	return p
}
