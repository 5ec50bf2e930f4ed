package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// writerProgram is the PowerShell 2.0 registry writer. For each write, in order, it prints the
// value before (as the collector reports values) and then one result line: would (dry run),
// unchanged, applied, or failed with the message. A failed write does not stop the others. It
// refuses any value not in facts.Writable, every write when it runs in 32-bit PowerShell on
// 64-bit Windows (whose registry view is redirected), and a write whose expected states
// (compare-and-set) do not include the value it reads. OpOr adds the bits to the REG_DWORD it reads at that moment.
// Writes go through Microsoft.Win32.RegistryKey.SetValue, so a value is replaced in one step,
// whatever its type was.
const writerProgram = facts.WritesMarker + `
$ErrorActionPreference = 'Stop'
{APPLY}
` + facts.WritesBegin + `
{WRITES}` + facts.WritesEnd + `
$allowed = @({ALLOWED})
$redirected = [bool]$env:PROCESSOR_ARCHITEW6432
$T = [string][char]9
function B64([string]$s) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)) }
function FromB64([string]$s) { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($s)) }
function Say([string]$s) { [Console]::Out.WriteLine($s) }
foreach ($line in $writes.Split([char]10)) {
    $line = $line.TrimEnd([char]13)
    if (-not $line) { continue }
    $f = $line.Split([char]9)
    $op = $f[0]; $key = $f[1]; $name = $f[2]
    $data = FromB64 $f[3]
    $expect = @()
    if ($f[4] -ne '-') {
        foreach ($e in $f[4].Split(',')) { $expect += (FromB64 $e) }
    }
    $sub = $key.Substring(5)
    $path = 'Registry::HKEY_LOCAL_MACHINE\' + $sub
    $state = 'nokey'; $type = ''; $val = ''; $num = $null
    try {
        if (Test-Path -LiteralPath $path) {
            $item = Get-Item -LiteralPath $path
            if ($item.GetValueNames() -contains $name) {
                $state = 'ok'
                $kind = $item.GetValueKind($name)
                $raw = $item.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
                if ($kind -eq 'DWord') {
                    $type = 'REG_DWORD'
                    $num = [int64][BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$raw), 0)
                    $val = [string]$num
                } elseif ($kind -eq 'String') {
                    $type = 'REG_SZ'; $val = [string]$raw
                } else {
                    $type = 'REG_' + $kind.ToString().ToUpper(); $val = [string]$raw
                }
            } else {
                $state = 'novalue'
            }
        }
    } catch {
        $state = 'error'; $type = ''; $val = $_.Exception.Message
    }
    Say ('prior' + $T + $key + $T + $name + $T + $state + $T + $type + $T + (B64 $val))
    $tok = 'unreadable'
    if ($state -eq 'nokey' -or $state -eq 'novalue') { $tok = 'absent' }
    if ($state -eq 'ok') { $tok = $type + ':' + $val }
    $outcome = 'failed'; $ntype = ''; $ndata = ''; $n = [int64]0; $change = $true
    if (-not ($allowed -contains ($key + '\' + $name))) {
        $ndata = 'refused: ' + $key + '\' + $name + ' is not a value tlsready fix may write'
    } elseif ($redirected) {
        $ndata = 'refused: 32-bit PowerShell on 64-bit Windows, whose HKLM\SOFTWARE is redirected'
    } elseif ($tok -eq 'unreadable') {
        $ndata = 'cannot read the value: ' + $val
    } elseif ($apply -and $expect.Count -gt 0 -and -not ($expect -ccontains $tok)) {
        $ndata = 'refused: the value is not what the journal says it was (now ' + $tok + ')'
    } else {
        $outcome = ''
        if ($op -eq 'or') {
            $ntype = 'REG_DWORD'; $n = [int64]$data
            if ($type -eq 'REG_DWORD') {
                $n = $num -bor $n
                $change = ($n -ne $num)
            }
            $ndata = [string]$n
        } elseif ($op -eq 'dword') {
            $ntype = 'REG_DWORD'; $n = [int64]$data; $ndata = [string]$n
            if ($type -eq 'REG_DWORD' -and $num -eq $n) { $change = $false }
        } elseif ($op -eq 'sz') {
            $ntype = 'REG_SZ'; $ndata = $data
            if ($type -eq 'REG_SZ' -and $val -ceq $data) { $change = $false }
        } elseif ($op -eq 'delete') {
            $change = ($state -eq 'ok')
        } else {
            $outcome = 'failed'; $ndata = 'unknown operation ' + $op
        }
        if ($outcome -eq '') {
            if (-not $change) {
                $outcome = 'unchanged'
            } elseif (-not $apply) {
                $outcome = 'would'
            } else {
                try {
                    if ($op -eq 'delete') {
                        $rk = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($sub, $true)
                        if ($rk -ne $null) {
                            try { $rk.DeleteValue($name, $false) } finally { $rk.Close() }
                        }
                    } else {
                        $rk = [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey($sub)
                        try {
                            if ($ntype -eq 'REG_DWORD') {
                                $i = [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$n), 0)
                                $rk.SetValue($name, $i, [Microsoft.Win32.RegistryValueKind]::DWord)
                            } else {
                                $rk.SetValue($name, [string]$ndata, [Microsoft.Win32.RegistryValueKind]::String)
                            }
                        } finally {
                            $rk.Close()
                        }
                    }
                    $outcome = 'applied'
                } catch {
                    $outcome = 'failed'; $ntype = ''; $ndata = $_.Exception.Message
                }
            }
        }
        if ($apply -and $op -eq 'delete' -and $data -eq 'key' -and $outcome -ne 'failed') {
            try {
                $rk = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($sub)
                if ($rk -ne $null) {
                    $empty = ($rk.ValueCount -eq 0 -and $rk.SubKeyCount -eq 0)
                    $rk.Close()
                    if ($empty) { [Microsoft.Win32.Registry]::LocalMachine.DeleteSubKey($sub, $false) }
                }
            } catch {
                $outcome = 'failed'; $ntype = ''; $ndata = 'the value is gone, the empty key stays: ' + $_.Exception.Message
            }
        }
    }
    Say ('result' + $T + $key + $T + $name + $T + $outcome + $T + $ntype + $T + (B64 $ndata))
}
`

// WriterScript is the registry-writer program for writes; with apply false it only reads the
// values and says what it would do (a dry run). Every write must be one of facts.Writable.
func WriterScript(writes []facts.RegWrite, apply bool) (string, error) {
	if len(writes) == 0 {
		return "", errors.New("registry writer: no writes")
	}
	block, err := facts.EncodeWrites(writes)
	if err != nil {
		return "", err
	}
	a := facts.WritesDryRun
	if apply {
		a = facts.WritesApply
	}
	var allowed []string
	for _, w := range facts.Writable() {
		allowed = append(allowed, "'"+strings.ReplaceAll(w, "'", "''")+"'")
	}
	return strings.NewReplacer("{APPLY}", a, "{WRITES}", block, "{ALLOWED}", strings.Join(allowed, ", ")).Replace(writerProgram), nil
}

// WriteRegistry runs the registry writer on a host: it reads each value and, with apply, writes
// it. The answer holds, per write, the value before and what became of it; after an error it
// holds what the host reported before it (nothing when the answer never came).
func (c *Client) WriteRegistry(ctx context.Context, ep Endpoint, writes []facts.RegWrite, apply bool) ([]facts.WriteResult, error) {
	ep = c.normalize(ep)
	script, err := WriterScript(writes, apply)
	if err != nil {
		return nil, c.collectError(ep, err)
	}
	res, err := c.Run(ctx, ep, CollectorCommand(), []byte(script))
	if err != nil {
		return nil, err
	}
	out, perr := facts.ParseWriterOutput(res.Stdout)
	if ce := languageModeError(res); ce != nil {
		// The bootstrap found PowerShell constrained: nothing was read or written.
		return out, c.collectError(ep, ce)
	}
	if res.ExitCode != 0 {
		return out, c.collectError(ep, &CollectorError{ExitCode: res.ExitCode, Stderr: stderrSummary(res.Stderr)})
	}
	if perr != nil {
		return out, c.collectError(ep, perr)
	}
	complete := len(out) == len(writes)
	for i := 0; complete && i < len(out); i++ {
		complete = out[i].Outcome != "" && strings.EqualFold(out[i].Prior.Key, writes[i].Key) && strings.EqualFold(out[i].Prior.Name, writes[i].Name)
	}
	if !complete {
		return out, c.collectError(ep, fmt.Errorf("registry writer answered %d of %d writes", len(out), len(writes)))
	}
	return out, nil
}
