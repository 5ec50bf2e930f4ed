package psgrammar_test

import (
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
)

// Each construct PowerShell 2.0 / .NET 3.5 lacks is found in a small sample, and the same words
// inside a comment, a single-quoted string and a here-string are not. The sample parses (the
// check does not depend on syntax errors), except where noted.
func TestCheck20(t *testing.T) {
	psgtest.Require(t, grammar)
	tests := []struct {
		name, code, construct string
		// inString is the words of the construct, to put in a comment and strings; "" means code.
		inString string
	}{
		{"ordered", "$h = [ordered]@{ a = 1 }", "[ordered]", ""},
		{"pscustomobject", "$o = [pscustomobject]@{ a = 1 }", "[pscustomobject]", ""},
		{"PSCustomObject any case", "$o = [PSCustomObject]@{ a = 1 }", "[PSCustomObject]", ""},
		{"-in", "if ($a -in $b) { 1 }", "-in", ""},
		{"-notin", "if ($a -notin 1, 2) { 1 }", "-notin", ""},
		{"-shl", "$x = 1 -shl 3", "-shl", ""},
		{"-shr", "$x = 8 -shr 3", "-shr", ""},
		{".Where(", "$x = $list.Where({ $_ -gt 1 })", ".Where(", ""},
		{".ForEach( (a syntax error too)", "$x = $list.ForEach({ $_ })", ".ForEach(", ""},
		{"$PSItem", "$list | ForEach-Object { $PSItem }", "$PSItem", ""},
		{"$PSScriptRoot", "$p = Join-Path $PSScriptRoot 'x.txt'", "$PSScriptRoot", ""},
		{"$PSCommandPath", "$p = $PSCommandPath", "$PSCommandPath", ""},
		{"ConvertTo-Json", "$j = @{ a = 1 } | ConvertTo-Json", "ConvertTo-Json", ""},
		{"ConvertFrom-Json", "$o = '{}' | ConvertFrom-Json", "ConvertFrom-Json", ""},
		{"Get-CimInstance", "$os = Get-CimInstance -ClassName Win32_OperatingSystem", "Get-CimInstance", ""},
		{"Invoke-CimMethod", "Invoke-CimMethod -ClassName Win32_Process -MethodName Create", "Invoke-CimMethod", ""},
		{"gcim alias", "$os = gcim Win32_OperatingSystem", "gcim", ""},
		{"::new(", "$sb = [Text.StringBuilder]::new(16)", "::new(", ""},
		{"Get-ItemPropertyValue", "$v = Get-ItemPropertyValue -Path HKLM:\\SOFTWARE -Name x", "Get-ItemPropertyValue", ""},
		{"Get-Content -Raw", "$t = Get-Content -Raw -Path C:\\x.txt", "Get-Content -Raw", ""},
		{"$using:", "Invoke-Command -ComputerName pc { $using:name }", "$using:", "$using:name"},
		{"${using:}", "Invoke-Command -ComputerName pc { ${using:name} }", "$using:", "${using:name}"},
		{"OpenBaseKey", "$k = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64')", "OpenBaseKey", ""},
		{"RegistryView", "$v = [Microsoft.Win32.RegistryView]::Registry64", "[RegistryView]", ""},
		{"class", "class Foo { [int]$a }", "class", "class Foo"},
		{"enum", "enum Color { Red }", "enum", "enum Color"},
		{"using namespace", "using namespace System.Text", "using", ""},
		{"&&", "Get-Item C:\\ && Get-Item D:\\", "&&", ""},
		{"||", "Get-Item C:\\ || Get-Item D:\\", "||", ""},
		{"Invoke-RestMethod", "$r = Invoke-RestMethod -Uri https://example.org/", "Invoke-RestMethod", ""},
		{"Invoke-WebRequest", "$r = Invoke-WebRequest -Uri https://example.org/", "Invoke-WebRequest", ""},
		{"iwr alias", "$r = iwr https://example.org/", "iwr", ""},
		{"Is64BitOperatingSystem", "$b = [Environment]::Is64BitOperatingSystem", "Is64BitOperatingSystem", ""},
		{"Is64BitProcess", "$b = [Environment]::Is64BitProcess", "Is64BitProcess", ""},
		{"IsNullOrWhiteSpace", "$b = [string]::IsNullOrWhiteSpace($s)", "IsNullOrWhiteSpace", ""},
		{"Set-Content -NoNewline", "Set-Content -Path x.txt -Value a -NoNewline", "Set-Content -NoNewline", ""},
		{"Where-Object simplified", "Get-ChildItem | Where-Object Name -eq 'x'", "Where-Object without a script block", ""},
		{"? simplified", "Get-ChildItem | ? Length -gt 1", "? without a script block", ""},
		{"ForEach-Object simplified", "Get-ChildItem | ForEach-Object Name", "ForEach-Object without a script block", ""},
		{"foreach alias simplified", "Get-ChildItem | foreach Name", "foreach without a script block", ""},
		{"Get-ChildItem -File", "$f = Get-ChildItem -File C:\\", "Get-ChildItem -File", ""},
		{"-ErrorAction Ignore", "Get-Item x -ErrorAction Ignore", "-ErrorAction Ignore", ""},
		{"-ea:Ignore", "Get-Item x -ea:Ignore", "-ErrorAction Ignore", ""},
		{"Export-Csv -Append", "$o | Export-Csv -Path x.csv -Append", "Export-Csv -Append", ""},
		{"Get-Content -Tail", "Get-Content x.log -Tail 5", "Get-Content -Tail", ""},
		{"SecurityProtocolType Tls12", "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12", "Tls12", ""},
		{"Enum TryParse", "$ok = [Enum]::TryParse('a', [ref]$v)", "[Enum]::TryParse", ""},
		{"HasFlag", "$b = $flags.HasFlag(4)", "HasFlag", ""},
		{"EnumerateFiles", "$f = [IO.Directory]::EnumerateFiles('C:\\')", "EnumerateFiles", ""},
		{"Test-NetConnection", "Test-NetConnection outlook.office365.com -Port 443", "Test-NetConnection", ""},
		{"Get-FileHash", "$h = Get-FileHash x.dll", "Get-FileHash", ""},
		{"workflow", "workflow W { Get-Process }", "workflow", "workflow W"},
		{"$ in a $( ) of a string is code", `$s = "os: $(Get-CimInstance Win32_OperatingSystem)"`, "Get-CimInstance", "Get-CimInstance Win32_OperatingSystem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parse(t, tt.code+"\r\n")
			var got []string
			for _, f := range r.Check20() {
				got = append(got, f.Construct)
			}
			if len(got) != 1 || got[0] != tt.construct {
				t.Errorf("%q: findings %q, want exactly %q", tt.code, got, tt.construct)
			}
			words := tt.inString
			if words == "" {
				words = tt.code
			}
			for _, quiet := range []string{
				"# " + words + "\r\n$a = 1\r\n",
				"<# " + words + " #>\r\n$a = 1\r\n",
				"$s = '" + strings.ReplaceAll(words, "'", "''") + "'\r\n",
				"$s = @'\r\n" + words + "\r\n'@\r\n",
				"Write-Verbose ('" + strings.ReplaceAll(words, "'", "''") + "')\r\n",
			} {
				r := parse(t, quiet)
				if len(r.Errors) != 0 {
					t.Fatalf("%q: syntax errors %v", quiet, r.Errors)
				}
				if f := r.Check20(); len(f) != 0 {
					t.Errorf("%q: findings %v in a comment or string", quiet, f)
				}
			}
		})
	}
}

// What PowerShell 2.0 has is not flagged: the constructs of our texts, and near misses of the
// rules (Write-Host -NoNewline, Where-Object with a script block, -contains, the foreach
// statement, a method named New, $_, Get-WmiObject).
func TestCheck20Allows(t *testing.T) {
	psgtest.Require(t, grammar)
	src := strings.Join([]string{
		"[CmdletBinding(SupportsShouldProcess = $true)]",
		"param()",
		"Set-StrictMode -Version 2.0",
		"$h = @{ a = 1 }; $o = New-Object PSObject -Property $h",
		"if ($list -contains $a -and $a -notcontains $b) { Write-Host -NoNewline 'x' }",
		"foreach ($i in $list) { $i | Where-Object { $_ -gt 1 } | ForEach-Object { $_.Name } }",
		"Get-ChildItem | Where-Object -FilterScript { $_.Length -gt 1 } | % { $_ } | foreach { $_ }",
		"$sb = { $_ }; Get-ChildItem | Where-Object -FilterScript $sb | ForEach-Object -Process $sb",
		"$os = Get-WmiObject -Class Win32_OperatingSystem",
		"$k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE', $false)",
		"$n = [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]4294967295), 0)",
		"$x = $factory.New(1); $y = 1 -band 4294967295; $z = 0xa00",
		"$b = [string]::IsNullOrEmpty($s); $is64 = [IntPtr]::Size -eq 8",
		"Get-Item x -ErrorAction SilentlyContinue; $e = $MyInvocation.MyCommand.Path",
		"$w = @'\r\nline\r\n'@",
	}, "\r\n")
	r := parse(t, src)
	if len(r.Errors) != 0 {
		t.Fatalf("syntax errors: %v", r.Errors)
	}
	if f := r.Check20(); len(f) != 0 {
		t.Errorf("PowerShell 2.0 code flagged: %v", f)
	}
}
