package psgrammar

import (
	"fmt"
	"regexp"
	"strings"
)

// Finding is a construct that PowerShell 2.0 or .NET 2.0-3.5 lacks (Windows 7 SP1 as shipped).
type Finding struct {
	Line, Column int    // 1-based
	Construct    string // what was found, e.g. "[ordered]", "-in", "ConvertTo-Json"
	Why          string // which version brought it
}

// String renders the finding on one line: position, construct, and why.
func (f Finding) String() string {
	return fmt.Sprintf("line %d col %d: %s: %s", f.Line, f.Column, f.Construct, f.Why)
}

// Check20 returns what in the text needs more than PowerShell 2.0 and .NET 3.5. It works on the
// syntax tree: a word in a comment or a string is not code and is not judged; a $( ) inside a
// string is. Constructs the grammar itself rejects (PowerShell 7's ?? ?. and ternary, which it
// does not know) are syntax errors in Result.Errors, not findings here.
func (r *Result) Check20() []Finding {
	var out []Finding
	add := func(row, col int, construct, why string) {
		out = append(out, Finding{Line: row + 1, Column: col + 1, Construct: construct, Why: why})
	}
	toks := r.Tokens
	for i, t := range toks {
		if t.InString || t.Type == "comment" {
			continue
		}
		low := strings.ToLower(t.Text)
		next := func(k int) Token {
			if i+k >= 0 && i+k < len(toks) {
				return toks[i+k]
			}
			return Token{}
		}
		switch t.Type {
		case "type_identifier":
			if why, ok := types20[low]; ok {
				add(t.Row, t.Column, "["+t.Text+"]", why)
			}
		case "op":
			switch {
			case opIn.MatchString(low):
				add(t.Row, t.Column, t.Text, "the -in and -notin operators came with PowerShell 3.0")
			case low == "-shl" || low == "-shr":
				add(t.Row, t.Column, t.Text, "the shift operators came with PowerShell 3.0")
			case (low == "&&" || low == "||") && t.Parent == "pipeline_chain_tail":
				add(t.Row, t.Column, t.Text, "pipeline chain operators came with PowerShell 7")
			case low == "workflow" && t.Parent == "function_statement":
				add(t.Row, t.Column, "workflow", "workflows came with PowerShell 3.0")
			}
		case "simple_name":
			// The grammar leaves the class and enum keywords out of the tree: their name is there.
			switch t.Parent {
			case "class_statement":
				add(t.Row, t.Column, "class", "class definitions came with PowerShell 5.0")
				continue
			case "enum_statement":
				add(t.Row, t.Column, "enum", "enum definitions came with PowerShell 5.0")
				continue
			case "member_name":
			default:
				continue
			}
			prev, after := next(-1), next(1)
			switch {
			case (low == "foreach" || low == "where") && (after.Text == "(" || after.Text == "{"):
				add(t.Row, t.Column, "."+t.Text+"(", "the ForEach and Where methods came with PowerShell 4.0")
			case low == "new" && prev.Text == "::" && after.Text == "(":
				add(t.Row, t.Column, "::new(", "::new() came with PowerShell 5.0; use New-Object")
			case low == "tryparse" && prev.Text == "::" && next(-2).Text == "]" && strings.EqualFold(next(-3).Text, "enum"):
				add(t.Row, t.Column, "[Enum]::TryParse", ".NET 4.0")
			default:
				if why, ok := members20[low]; ok {
					add(t.Row, t.Column, t.Text, why)
				}
			}
		case "variable", "braced_variable":
			name := strings.ToLower(strings.Trim(strings.TrimPrefix(t.Text, "$"), "{}"))
			switch {
			case strings.HasPrefix(name, "using:"):
				add(t.Row, t.Column, "$using:", "the using: scope came with PowerShell 3.0")
			default:
				if why, ok := variables20[name]; ok {
					add(t.Row, t.Column, t.Text, why)
				}
			}
		case "ERROR":
			// The grammar does not know .ForEach( (it is a keyword to it): the ERROR ends there.
			if m := errorForEach.FindStringSubmatch(t.Text); m != nil {
				add(t.Row, t.Column, "."+m[1]+"(", "the ForEach and Where methods came with PowerShell 4.0")
			}
		}
	}
	for _, c := range r.Commands {
		if c.InString {
			continue
		}
		name := strings.ToLower(c.Name)
		if why, ok := commands20[name]; ok {
			add(c.Row, c.Column, c.Name, why)
		}
		if name == "using" {
			add(c.Row, c.Column, "using", "using statements came with PowerShell 5.0")
		}
		// A script block given literally or by its parameter name (-FilterScript $sb).
		block := false
		for _, a := range c.Args {
			switch p := strings.ToLower(a.Text); {
			case strings.HasPrefix(p, "{"), p == "-filterscript", p == "-process", p == "-begin", p == "-end":
				block = true
			}
		}
		switch name {
		case "where-object", "where", "?":
			if !block {
				add(c.Row, c.Column, c.Name+" without a script block", "the simplified Where-Object syntax came with PowerShell 3.0")
			}
		case "foreach-object", "foreach", "%":
			if !block {
				add(c.Row, c.Column, c.Name+" without a script block", "the simplified ForEach-Object syntax came with PowerShell 3.0")
			}
		}
		for k, a := range c.Args {
			if a.Type != "command_parameter" {
				continue
			}
			p, value, _ := strings.Cut(strings.ToLower(a.Text), ":")
			if value == "" && k+1 < len(c.Args) && c.Args[k+1].Type != "command_parameter" {
				value = strings.ToLower(c.Args[k+1].Text)
			}
			switch {
			case p == "-raw":
				add(c.Row, c.Column, c.Name+" -Raw", "-Raw came with PowerShell 3.0")
			case p == "-nonewline" && name != "write-host":
				add(c.Row, c.Column, c.Name+" -NoNewline", "-NoNewline (but Write-Host's) came with PowerShell 5.0")
			case (p == "-file" || p == "-directory" || p == "-depth") && childItem[name]:
				add(c.Row, c.Column, c.Name+" "+a.Text, "Get-ChildItem's "+a.Text+" came with PowerShell 3.0 or later")
			case p == "-tail" && getContent[name]:
				add(c.Row, c.Column, c.Name+" -Tail", "Get-Content -Tail came with PowerShell 3.0")
			case p == "-append" && (name == "export-csv" || name == "epcsv"):
				add(c.Row, c.Column, c.Name+" -Append", "Export-Csv -Append came with PowerShell 3.0")
			case (p == "-erroraction" || p == "-ea") && value == "ignore":
				add(c.Row, c.Column, "-ErrorAction Ignore", "the Ignore action came with PowerShell 3.0")
			case p == "-pipelinevariable" || p == "-pv" || strings.HasPrefix(p, "-information") || p == "-infa" || p == "-iv":
				add(c.Row, c.Column, a.Text, "came with PowerShell 4.0 or later")
			}
		}
	}
	return out
}

var (
	opIn         = regexp.MustCompile(`^-[ic]?(in|notin)$`)
	errorForEach = regexp.MustCompile(`(?i)\.(foreach|where)\s*$`)
	childItem    = map[string]bool{"get-childitem": true, "gci": true, "dir": true, "ls": true}
	getContent   = map[string]bool{"get-content": true, "gc": true, "cat": true, "type": true}
)

// types20 are type names (any segment of a type literal) that PowerShell 2.0 or .NET 3.5 lacks.
var types20 = map[string]string{
	"ordered":        "[ordered] came with PowerShell 3.0",
	"pscustomobject": "[pscustomobject] came with PowerShell 3.0; use New-Object PSObject -Property",
	"registryview":   "Microsoft.Win32.RegistryView came with .NET 4.0",
	"ciminstance":    "CIM types came with PowerShell 3.0",
	"cimsession":     "CIM types came with PowerShell 3.0",
	"cimclass":       "CIM types came with PowerShell 3.0",
	"bigint":         "[bigint] came with PowerShell 3.0 (.NET 4.0)",
	"biginteger":     "System.Numerics.BigInteger came with .NET 4.0",
	"tuple":          "System.Tuple came with .NET 4.0",
	"lazy":           "System.Lazy came with .NET 4.0",
	"zipfile":        "System.IO.Compression.ZipFile came with .NET 4.5",
	"httpclient":     "System.Net.Http.HttpClient came with .NET 4.5",
	"nullstring":     "[NullString] came with PowerShell 3.0",
	"semver":         "[semver] came with PowerShell 6",
}

// members20 are member names that .NET 3.5 lacks (whatever the type: these names are distinctive).
var members20 = map[string]string{
	"is64bitoperatingsystem":     "Environment.Is64BitOperatingSystem came with .NET 4.0; use [IntPtr]::Size or PROCESSOR_ARCHITEW6432",
	"is64bitprocess":             "Environment.Is64BitProcess came with .NET 4.0; use [IntPtr]::Size",
	"isnullorwhitespace":         "String.IsNullOrWhiteSpace came with .NET 4.0",
	"openbasekey":                "RegistryKey.OpenBaseKey came with .NET 4.0",
	"enumeratefiles":             "Directory.EnumerateFiles came with .NET 4.0",
	"enumeratedirectories":       "Directory.EnumerateDirectories came with .NET 4.0",
	"enumeratefilesystementries": "Directory.EnumerateFileSystemEntries came with .NET 4.0",
	"readlines":                  "File.ReadLines came with .NET 4.0",
	"hasflag":                    "Enum.HasFlag came with .NET 4.0",
	"tls11":                      "SecurityProtocolType.Tls11 is not in .NET 3.5's enum (use 768 with the KB that adds it)",
	"tls12":                      "SecurityProtocolType.Tls12 is not in .NET 3.5's enum (use 3072 with the KB that adds it)",
	"tls13":                      "SecurityProtocolType.Tls13 came with .NET 4.8",
}

// variables20 are automatic variables PowerShell 2.0 lacks (in a script; $PSScriptRoot exists in
// 2.0 modules only).
var variables20 = map[string]string{
	"psitem":                   "$PSItem came with PowerShell 3.0; use $_",
	"psscriptroot":             "$PSScriptRoot in a script came with PowerShell 3.0; use Split-Path $MyInvocation.MyCommand.Path",
	"pscommandpath":            "$PSCommandPath came with PowerShell 3.0",
	"psdefaultparametervalues": "$PSDefaultParameterValues came with PowerShell 3.0",
}

// commands20 are cmdlets (and aliases) that PowerShell 2.0 on Windows 7 lacks. Read only.
var commands20 = commandTable()

func commandTable() map[string]string {
	out := map[string]string{}
	for why, names := range map[string][]string{
		"CIM cmdlets came with PowerShell 3.0; use Get-WmiObject": {"get-ciminstance", "get-cimclass", "invoke-cimmethod",
			"new-ciminstance", "remove-ciminstance", "set-ciminstance", "get-cimassociatedinstance", "new-cimsession",
			"new-cimsessionoption", "get-cimsession", "remove-cimsession", "register-cimindicationevent",
			"gcim", "scim", "ncim", "rcim", "icim", "gcai", "gcls", "ncms", "ncso", "gcms", "rcms"},
		"came with PowerShell 3.0":                       {"convertto-json", "convertfrom-json", "invoke-restmethod", "invoke-webrequest", "irm", "iwr", "unblock-file", "show-command", "rename-computer", "get-controlpanelitem", "register-scheduledjob"},
		"Get-ItemPropertyValue came with PowerShell 5.0": {"get-itempropertyvalue", "gpv"},
		"came with PowerShell 4.0 or later":              {"get-filehash", "expand-archive", "compress-archive", "new-temporaryfile", "get-clipboard", "set-clipboard", "write-information", "convertfrom-string", "format-hex", "get-runspace"},
		"a Windows 8 module, not on Windows 7":           {"test-netconnection", "resolve-dnsname", "get-netadapter", "get-netipaddress", "get-scheduledtask", "register-scheduledtask", "get-volume", "get-disk"},
	} {
		for _, n := range names {
			out[n] = why
		}
	}
	return out
}
