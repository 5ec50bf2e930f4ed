# tlsready collector: reads registry values, file versions and Win32_OperatingSystem, and prints
# them in the line format of facts/wire.go. It only reads. It runs on PowerShell 2.0 (Windows 7
# SP1) and later, so it uses only what PowerShell 2.0 and .NET 2.0 have; registry keys are opened
# read-only through [Microsoft.Win32.Registry], both views by explicit Wow6432Node paths.
# Every host string is printed as base64 of its UTF-8 bytes, so the output is ASCII.
$ErrorActionPreference = 'Stop'
#TLSREADY-ITEMS#
$inv = [Globalization.CultureInfo]::InvariantCulture

function B([string]$s) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)) }
function D([string]$s) { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($s)) }
function J { [string]::Join("`t", [string[]]$args) }
function Hex($b) {
  if ($null -eq $b) { return '' }
  ([BitConverter]::ToString([byte[]]$b) -replace '-', '').ToLower()
}

# Fail returns the state and message of an exception: denied for access errors, else error.
function Fail($e) {
  $state = 'error'; $msg = ''
  while ($null -ne $e) {
    if ($e -is [System.UnauthorizedAccessException] -or $e -is [System.Security.SecurityException]) { $state = 'denied' }
    $msg = $e.Message; $e = $e.InnerException
  }
  @($state, $msg)
}

function RegValue([string]$key, [string]$name) {
  $r = @{ State = 'error'; Type = ''; Data = '' }
  try {
    if ($key -like 'HKLM\*') { $root = [Microsoft.Win32.Registry]::LocalMachine; $sub = $key.Substring(5) }
    elseif ($key -like 'HKU\*') { $root = [Microsoft.Win32.Registry]::Users; $sub = $key.Substring(4) }
    else { throw ('unsupported root in ' + $key) }
    $k = $root.OpenSubKey($sub, $false)
    if ($null -eq $k) { $r.State = 'nokey'; return $r }
    try {
      $v = $k.GetValue($name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
      if ($null -eq $v) { $r.State = 'novalue'; return $r }
      $kind = $k.GetValueKind($name).ToString()
      switch ($kind) {
        'DWord' { $r.Type = 'REG_DWORD'; $r.Data = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$v), 0).ToString($inv) }
        'QWord' { $r.Type = 'REG_QWORD'; $r.Data = [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$v), 0).ToString($inv) }
        'String' { $r.Type = 'REG_SZ'; $r.Data = [string]$v }
        'ExpandString' { $r.Type = 'REG_EXPAND_SZ'; $r.Data = [string]$v }
        'MultiString' { $r.Type = 'REG_MULTI_SZ'; $r.Data = [string]::Join("`n", [string[]]$v) }
        'Binary' { $r.Type = 'REG_BINARY'; $r.Data = Hex $v }
        default { $r.Type = 'REG_' + $kind.ToUpper(); $r.Data = Hex $v }
      }
      $r.State = 'ok'
    } finally { $k.Close() }
  } catch { $f = Fail $_.Exception; $r.State = $f[0]; $r.Type = ''; $r.Data = $f[1] }
  $r
}

function FileVersion([string]$p) {
  $r = @{ State = 'error'; Version = ''; Text = ''; Data = '' }
  try {
    # A 32-bit PowerShell on 64-bit Windows would see SysWOW64 under the name System32.
    if ($env:PROCESSOR_ARCHITEW6432) { $p = $p -replace '\\System32\\', '\Sysnative\' }
    if (-not [IO.File]::Exists($p)) { $r.State = 'nofile'; return $r }
    $vi = [Diagnostics.FileVersionInfo]::GetVersionInfo($p)
    $ver = [string]::Join('.', [string[]]@($vi.FileMajorPart, $vi.FileMinorPart, $vi.FileBuildPart, $vi.FilePrivatePart))
    if ($ver -eq '0.0.0.0' -and -not $vi.FileVersion) { $r.State = 'noversion'; return $r }
    $r.State = 'ok'; $r.Version = $ver; $r.Text = [string]$vi.FileVersion
  } catch { $f = Fail $_.Exception; $r.State = $f[0]; $r.Data = $f[1] }
  $r
}

function FileLine($id, [string]$p) {
  $r = FileVersion $p
  J 'file' $id (B $p) $r.State $r.Version (B $r.Text) (B $r.Data)
}

# PErr records the message and code of a failed probe: the innermost message; a socket error
# number, or the SCHANNEL status (SEC_E_...) of a Win32Exception as hex.
function PErr($p, $e) {
  while ($null -ne $e) {
    if ($e -is [Net.Sockets.SocketException]) { $p.Code = [string]$e.ErrorCode }
    elseif ($e -is [ComponentModel.Win32Exception]) { $p.Code = '0x' + $e.NativeErrorCode.ToString('X8') }
    if ($e -is [NotSupportedException] -or $e -is [ArgumentException]) { $p.Outcome = 'error' }
    $p.Error = $e.Message; $e = $e.InnerException
  }
}

# Probe (scan --probe): a TLS 1.2 handshake from this host to $target (host:port) within about
# $ms milliseconds, with .NET's SslStream, i.e. SCHANNEL, as the scanning account; directly, or
# through the machine's WinHTTP proxy with an HTTP CONNECT when one is set. Not WinHTTP: the
# WinHttp.WinHttpRequest COM object sets its own secure protocols, so DefaultSecureProtocols
# (KB3140245) would not apply to it; see checks/rules_probe.go. Nothing is sent after the
# handshake. SslProtocols 3072 is TLS 1.2 (https://learn.microsoft.com/dotnet/api/system.security.authentication.sslprotocols);
# .NET 2.0-3.5 have it only with the TLS 1.2 update (KB3154518), without it SslStream refuses.
function Probe($id, [string]$target, [int]$ms) {
  $p = @{ Outcome = 'noroute'; Via = 'direct'; Proxy = ''; Protocol = ''; Cipher = ''; CBits = 0; Hash = ''; HBits = 0
    Kx = ''; KBits = 0; Subject = ''; Issuer = ''; Root = ''; Thumb = ''; Status = ''; Error = ''; Code = '' }
  $sw = [Diagnostics.Stopwatch]::StartNew()
  $tcp = $null; $ssl = $null
  try {
    $i = $target.LastIndexOf(':'); $th = $target.Substring(0, $i).Trim('[', ']'); $tp = [int]$target.Substring($i + 1)
    $ch = $th; $cp = $tp
    # The WinHTTP proxy ("netsh winhttp set proxy") is the binary value WinHttpSettings: flags at
    # offset 8 (2: a proxy is set), the proxy list's length at 12, the list from 16, then the
    # bypass list's length and the bypass list. The proxy list's entries are
    # [scheme=][scheme://]server[:port], the bypass list's server names with * wildcards or
    # <local> (names without a dot), both separated by ';' or blanks (WINHTTP_PROXY_INFO,
    # https://learn.microsoft.com/windows/win32/api/winhttp/ns-winhttp-winhttp_proxy_info).
    # As WinHTTP does for an https URL: the https= entry, else one for every scheme; none, or a
    # target on the bypass list, and the connection is direct (Proxy still names the proxy).
    try {
      $k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections', $false)
      if ($null -ne $k) {
        $b = [byte[]]$k.GetValue('WinHttpSettings'); $k.Close()
        if ($b.Length -ge 16 -and ([BitConverter]::ToInt32($b, 8) -band 2)) {
          $n = [BitConverter]::ToInt32($b, 12)
          if ($n -gt 0 -and $n -le 1024 -and 16 + $n -le $b.Length) {
            $sep = [char[]]@(';', ' ', "`t"); $s = ''; $any = ''
            foreach ($e in [Text.Encoding]::ASCII.GetString($b, 16, $n).Split($sep, [StringSplitOptions]::RemoveEmptyEntries)) {
              $q = $e.IndexOf('=')
              if ($q -lt 0) { if ($any -eq '') { $any = $e } }
              elseif ($s -eq '' -and $e.Substring(0, $q) -eq 'https') { $s = $e.Substring($q + 1) }
            }
            if ($s -eq '') { $s = $any }
            $q = $s.IndexOf('://'); if ($q -ge 0) { $s = $s.Substring($q + 3) }
            $by = $false; $o = 16 + $n
            if ($o + 4 -le $b.Length) { $m = [BitConverter]::ToInt32($b, $o) } else { $m = 0 }
            if ($m -gt 0 -and $m -le 4096 -and $o + 4 + $m -le $b.Length) {
              foreach ($e in [Text.Encoding]::ASCII.GetString($b, $o + 4, $m).Split($sep, [StringSplitOptions]::RemoveEmptyEntries)) {
                $q = $e.IndexOf('://'); if ($q -ge 0) { $e = $e.Substring($q + 3) }
                if ($e -eq '<local>') { if (-not $th.Contains('.')) { $by = $true } }
                else {
                  $rx = '^' + [regex]::Escape($e).Replace('\*', '.*').Replace('\?', '.') + '$'
                  if ($th -match $rx -or $target -match $rx) { $by = $true }
                }
              }
            }
            if ($s -ne '') {
              $p.Proxy = $s
              if (-not $by) {
                $j = $s.LastIndexOf(':'); $p.Via = 'proxy'; $p.Outcome = 'proxy'
                if ($j -gt 0) { $ch = $s.Substring(0, $j); $cp = [int]$s.Substring($j + 1) } else { $ch = $s; $cp = 80 }
              }
            }
          }
        }
      }
    } catch { }
    $tcp = [Activator]::CreateInstance([Net.Sockets.TcpClient])
    $ar = $tcp.BeginConnect($ch, $cp, $null, $null)
    if (-not $ar.AsyncWaitHandle.WaitOne($ms, $false)) { throw [Net.Sockets.SocketException]10060 }
    $tcp.EndConnect($ar)
    $left = $ms - [int]$sw.ElapsedMilliseconds
    if ($left -lt 1) { $left = 1 }
    $tcp.ReceiveTimeout = $left; $tcp.SendTimeout = $left
    $ns = $tcp.GetStream()
    if ($p.Via -eq 'proxy') {
      $req = [Text.Encoding]::ASCII.GetBytes('CONNECT ' + $target + " HTTP/1.1`r`nHost: " + $target + "`r`n`r`n")
      $ns.Write($req, 0, $req.Length)
      $one = [byte[]]@(0); $head = ''
      while ($head.Length -lt 8192 -and -not $head.EndsWith("`r`n`r`n")) {
        if ($ns.Read($one, 0, 1) -lt 1) { break }
        $head += [char]$one[0]
      }
      $line = $head.Split([char]13)[0]
      if ($line -notmatch '^HTTP/1\.[01] 200') { $p.Error = 'the proxy answered: ' + $line; throw 'proxy' }
    }
    $p.Outcome = 'refused'
    # Record the chain as SCHANNEL built it and accept it: the checks judge the root.
    $cb = [Net.Security.RemoteCertificateValidationCallback]{
      param($o, $cert, $chain, $errs)
      $els = $chain.ChainElements
      if ($els.Count -gt 0) { $r = $els[$els.Count - 1].Certificate; $p.Root = $r.Subject; $p.Thumb = $r.Thumbprint }
      $st = @()
      foreach ($x in $chain.ChainStatus) { $st += [string]$x.Status }
      if ([int]$errs -ne 0) { $st += [string]$errs }
      $p.Status = [string]::Join(',', [string[]]$st)
      $true
    }
    $ssl = [Activator]::CreateInstance([Net.Security.SslStream], [object[]]@($ns, $false, $cb))
    $ssl.AuthenticateAsClient($th, $null, [Enum]::ToObject([Security.Authentication.SslProtocols], 3072), $false)
    $p.Outcome = 'ok'; $p.Protocol = [string]$ssl.SslProtocol
    $p.Cipher = [string]$ssl.CipherAlgorithm; $p.CBits = [int]$ssl.CipherStrength
    $p.Hash = [string]$ssl.HashAlgorithm; $p.HBits = [int]$ssl.HashStrength
    $p.Kx = [string]$ssl.KeyExchangeAlgorithm; $p.KBits = [int]$ssl.KeyExchangeStrength
    if ($null -ne $ssl.RemoteCertificate) { $p.Subject = $ssl.RemoteCertificate.Subject; $p.Issuer = $ssl.RemoteCertificate.Issuer }
  } catch {
    if ($p.Error -eq '' -or $p.Outcome -ne 'proxy') { PErr $p $_.Exception }
  } finally {
    if ($null -ne $ssl) { $ssl.Close() }
    if ($null -ne $tcp) { $tcp.Close() }
  }
  J 'probe' $id (B $target) $p.Outcome $p.Via (B $p.Proxy) (B $p.Protocol) (B $p.Cipher) ([string]$p.CBits) (B $p.Hash) ([string]$p.HBits) (B $p.Kx) ([string]$p.KBits) (B $p.Subject) (B $p.Issuer) (B $p.Root) $p.Thumb (B $p.Status) (B $p.Error) $p.Code ([string][int]$sw.ElapsedMilliseconds)
}

try {
  $os = Get-WmiObject -Class Win32_OperatingSystem
  $out = @()
  $out += J 'host' (B $env:COMPUTERNAME)
  $out += J 'os' (B $os.Caption) ([string]$os.Version) ([string][int]$os.ServicePackMajorVersion) ([string][int]$os.ProductType) (B $os.OSArchitecture)
  $out += J 'proc' ([string]([IntPtr]::Size * 8)) (B $env:PROCESSOR_ARCHITECTURE) (B $env:PROCESSOR_ARCHITEW6432)
  $out += J 'ps' $PSVersionTable.PSVersion.ToString()
  # The account this runs as: its hive under HKU (when Windows loaded one) is not a user of the PC.
  $sid = ''
  try { $sid = [Security.Principal.WindowsIdentity]::GetCurrent().User.Value } catch { }
  $out += J 'sid' (B $sid)
  # LastBootUpTime (CIM_DATETIME, local time with an offset) in UTC: changes to WinHTTP and
  # SCHANNEL take effect after a restart.
  $boot = ''
  try {
    $boot = [Management.ManagementDateTimeConverter]::ToDateTime([string]$os.LastBootUpTime).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $inv)
  } catch { }
  $out += J 'boot' $boot
  $hives = @()
  foreach ($h in [Microsoft.Win32.Registry]::Users.GetSubKeyNames()) {
    if ($h -notlike '*_Classes') { $hives += $h; $out += J 'hive' (B $h) }
  }
  foreach ($line in ($tlsreadyItems -split "`r?`n")) {
    if ($line -eq '') { continue }
    $f = $line.Split([char]9)
    $kind = $f[0]; $id = $f[1]; $key = ''; $name = ''; $path = ''
    try {
      $key = D $f[2]; $name = D $f[3]; $path = D $f[4]
      if ($kind -eq 'probe') { $out += Probe $id $path ([int]$name); continue }
      if ($kind -eq 'file') { $out += FileLine $id ([Environment]::ExpandEnvironmentVariables($path)); continue }
      $keys = @($key)
      if ($key.StartsWith('HKU\*\', [StringComparison]::OrdinalIgnoreCase)) {
        $keys = @()
        foreach ($h in $hives) { $keys += 'HKU\' + $h + $key.Substring(5) }
      }
      foreach ($k in $keys) {
        $v = RegValue $k $name
        if ($kind -eq 'reg') { $out += J 'reg' $id (B $k) (B $name) $v.State $v.Type (B $v.Data); continue }
        # regfile: the value is the path of a file whose version is wanted.
        if ($v.State -ne 'ok') { $out += J 'file' $id (B '') $v.State '' (B '') (B $v.Data); continue }
        if ($v.Type -ne 'REG_SZ' -and $v.Type -ne 'REG_EXPAND_SZ') {
          $out += J 'file' $id (B '') 'error' '' (B '') (B ($k + ' is ' + $v.Type + ', not a path')); continue
        }
        $out += FileLine $id ([Environment]::ExpandEnvironmentVariables($v.Data.Trim().Trim('"')))
      }
    } catch {
      $e = Fail $_.Exception
      if ($kind -eq 'reg') { $out += J 'reg' $id (B $key) (B $name) $e[0] '' (B $e[1]) }
      elseif ($kind -eq 'probe') { $out += J 'probe' $id (B $path) 'error' '' (B '') (B '') (B '') '0' (B '') '0' (B '') '0' (B '') (B '') (B '') '' (B '') (B $e[1]) '' '0' }
      else { $out += J 'file' $id (B $path) $e[0] '' (B '') (B $e[1]) }
    }
  }
  $out += J 'end' ([string]$out.Count)
  [Console]::Out.Write("tlsready-facts`t1`r`n" + [string]::Join("`r`n", [string[]]$out) + "`r`n")
  [Console]::Out.Flush()
} catch {
  [Console]::Error.WriteLine('tlsready collector: ' + $_.Exception.Message)
  exit 3
}
