package remote

import (
	"context"
	"fmt"
	"strings"

	"github.com/tlsready/tlsready/facts"
)

// writerProgram is the PowerShell 2.0 registry writer: for each write it reports the value
// before (as the collector reports values), and with $apply sets the REG_DWORD or REG_SZ, or
// deletes the value. It touches nothing but the values it is given, all under HKLM.
const writerProgram = facts.WritesMarker + `
$ErrorActionPreference = 'Stop'
{APPLY}
` + facts.WritesBegin + `
{WRITES}` + facts.WritesEnd + `
function B64([string]$s) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)) }
$out = New-Object System.Collections.ArrayList
foreach ($line in $writes.Split("` + "`" + `n")) {
    $line = $line.TrimEnd("` + "`" + `r")
    if (-not $line) { continue }
    $f = $line.Split("` + "`" + `t")
    $op = $f[0]; $key = $f[1]; $name = $f[2]
    $data = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($f[3]))
    $path = 'Registry::HKEY_LOCAL_MACHINE\' + $key.Substring(5)
    $state = 'nokey'; $type = ''; $val = ''
    if (Test-Path -LiteralPath $path) {
        $item = Get-Item -LiteralPath $path
        if ($item.GetValueNames() -contains $name) {
            $state = 'ok'
            $kind = $item.GetValueKind($name)
            $raw = $item.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
            if ($kind -eq 'DWord') { $type = 'REG_DWORD'; $val = [string]([BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$raw), 0)) }
            elseif ($kind -eq 'String') { $type = 'REG_SZ'; $val = [string]$raw }
            else { $type = 'REG_' + $kind.ToString().ToUpper(); $val = [string]$raw }
        } else { $state = 'novalue' }
    }
    [void]$out.Add("prior` + "`" + `t$key` + "`" + `t$name` + "`" + `t$state` + "`" + `t$type` + "`" + `t" + (B64 $val))
    if ($apply) {
        if ($op -eq 'delete') {
            if ($state -eq 'ok') { Remove-ItemProperty -LiteralPath $path -Name $name }
            if ($data -eq 'key' -and (Test-Path -LiteralPath $path)) {
                $k = Get-Item -LiteralPath $path
                if ($k.ValueCount -eq 0 -and $k.SubKeyCount -eq 0) { Remove-Item -LiteralPath $path }
            }
        } else {
            if ($state -eq 'nokey') { New-Item -Path $path -Force | Out-Null }
            if ($state -eq 'ok') { Remove-ItemProperty -LiteralPath $path -Name $name }
            if ($data -eq 'key' -and (Test-Path -LiteralPath $path)) {
                $k = Get-Item -LiteralPath $path
                if ($k.ValueCount -eq 0 -and $k.SubKeyCount -eq 0) { Remove-Item -LiteralPath $path }
            }
            if ($op -eq 'dword') {
                $n = [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$data), 0)
                New-ItemProperty -LiteralPath $path -Name $name -PropertyType DWord -Value $n | Out-Null
            } else {
                New-ItemProperty -LiteralPath $path -Name $name -PropertyType String -Value $data | Out-Null
            }
        }
        [void]$out.Add("applied` + "`" + `t$op` + "`" + `t$key` + "`" + `t$name")
    }
}
foreach ($l in $out) { [Console]::Out.WriteLine($l) }
`

// WriterScript is the registry-writer program for writes; with apply false it only reads the
// values (a dry run).
func WriterScript(writes []facts.RegWrite, apply bool) (string, error) {
	block, err := facts.EncodeWrites(writes)
	if err != nil {
		return "", err
	}
	a := facts.WritesDryRun
	if apply {
		a = facts.WritesApply
	}
	return strings.NewReplacer("{APPLY}", a, "{WRITES}", block).Replace(writerProgram), nil
}

// WriteRegistry runs the registry writer on a host: it reads each value and, with apply, writes
// it. The answer holds the value before each write, which is what a rollback needs.
func (c *Client) WriteRegistry(ctx context.Context, ep Endpoint, writes []facts.RegWrite, apply bool) (facts.WriterResult, error) {
	ep = c.normalize(ep)
	script, err := WriterScript(writes, apply)
	if err != nil {
		return facts.WriterResult{}, c.collectError(ep, err)
	}
	res, err := c.Run(ctx, ep, CollectorCommand(), []byte(script))
	if err != nil {
		return facts.WriterResult{}, err
	}
	if res.ExitCode != 0 {
		return facts.WriterResult{}, c.collectError(ep, &CollectorError{ExitCode: res.ExitCode, Stderr: stderrSummary(res.Stderr)})
	}
	out, err := facts.ParseWriterOutput(res.Stdout)
	if err != nil {
		return out, c.collectError(ep, err)
	}
	if len(out.Prior) != len(writes) || (apply && len(out.Applied) != len(writes)) {
		return out, c.collectError(ep, fmt.Errorf("registry writer answered %d prior values and %d writes for %d writes", len(out.Prior), len(out.Applied), len(writes)))
	}
	return out, nil
}
