package checks

// japanese is every Japanese text of the package, keyed as english is (texts_en.go). The terms
// follow the original FAQ: レジストリ, 更新プログラム, 既定値, [分類] の [更新], [推奨される更新
// プログラム], グループ ポリシーの [基本設定] ... Registry paths, value names, KB numbers, hex
// values and Q numbers are written as in English.
var japanese = catalogue{
	findings: map[string]findingText{
		IDOSUnsupported: {
			Title: `{os} は WinHTTP で TLS 1.2 を利用できません: OS の移行が必要です`,
			Detail: `このホストは {os} (バージョン {version}) です。WinHTTP に TLS 1.2 を追加する KB3140245 を適用できない ` +
				`ため、レジストリの設定にかかわらず、Office 365 が TLS 1.2 のみを受け付けるようになると Outlook は接続できません ` +
				`(Q2)。KB4019276 が TLS 1.2 を追加するのは SCHANNEL だけで、WinHTTP には追加されません。`,
			Remediation: `{target} (Q2)。`,
		},
		IDOSUnsupportedRecorded: {
			Title: `{os} ({source} の記録) は WinHTTP で TLS 1.2 を利用できません: OS の移行が必要です`,
			Detail: `ホストは確認できませんでしたが、{source} にはこのホストの OS が {os} (バージョン {version}) と記録されて ` +
				`います: {why}。このリリースには WinHTTP に TLS 1.2 を追加する KB3140245 を適用できないため、レジストリの設定に ` +
				`かかわらず、Office 365 が TLS 1.2 のみを受け付けるようになると Outlook は接続できません (Q2)。この記録は Windows が ` +
				`起動時に自ら更新するため、古くなっていることはまれです。`,
			Remediation: `OS を移行またはアップグレードしてください (Q2)。ホストに接続できるようになったら、もう一度スキャンして確認してください。`,
		},
		IDOSVersionUnknown: {
			Title: `Windows のリリースを判別できません`,
			Detail: `Win32_OperatingSystem が報告したバージョン "{version}" と製品の種類 {producttype} からは、Windows の ` +
				`リリースを判別できませんでした。これに依存する規則 (対応できないリリース、KB3140245、WinHTTP の既定値) は ` +
				`適用していません。明示的な設定は判定しています。`,
			Remediation: `ホストを手作業で確認してください: SP1 未適用の Windows 7、Windows 8、Windows Server 2008 は WinHTTP で ` +
				`TLS 1.2 を利用できません (Q2)。Windows 7 SP1、Server 2008 R2 SP1、Server 2012 には KB3140245 (Q13) と ` +
				`TLS 1.2 を含む DefaultSecureProtocols (Q3) が必要です。Windows 8.1、Server 2012 R2 以降は既定で WinHTTP で ` +
				`TLS 1.2 を利用します (Q3)。`,
		},
		IDCollector32Bit: {
			Title: `収集スクリプトが 32 ビットの PowerShell で実行されました: 判定していません`,
			Detail: `収集スクリプトが 64 ビットの Windows 上の 32 ビットの PowerShell で実行されたため、Windows により ` +
				`HKLM\SOFTWARE の読み取りは 32 ビットのレジストリ ビュー (Wow6432Node) に、System32 は SysWOW64 に ` +
				`リダイレクトされました。報告された値と DLL のバージョンは 64 ビット ビューやネイティブの DLL のものではなく、` +
				`64 ビットの Windows では両方のビューが関係するため (Q6)、判定していません。tlsready は WinRM のコマンド シェル ` +
				`(cmd.exe) で powershell.exe を実行します。ホストの環境が C:\Windows\SysWOW64 を指していなければ、64 ビットの ` +
				`PowerShell が起動します。`,
			Remediation: `ホストで、システム環境変数 Path と ComSpec が C:\Windows\SysWOW64 ではなく C:\Windows\System32 を` +
				`指していること、Path の前の方にほかの powershell.exe がないことを確認してから、もう一度スキャンしてください。` +
				`「winrs -r:<host> set」で WinRM のコマンド シェルの環境を確認できます。32 ビットのシェルでは ` +
				`PROCESSOR_ARCHITECTURE が x86、PROCESSOR_ARCHITEW6432 が AMD64 になります。`,
		},

		IDKBMissing: {
			Title: `KB3140245 が適用されていません: WinHTTP で TLS 1.2 を利用できません`,
			Detail: `System32 の DLL が KB3140245 で更新されるバージョン {threshold} より古いです: {files}。この更新プログラムが ` +
				`ないと、{os} の WinHTTP は DefaultSecureProtocols の値にかかわらず TLS 1.2 を利用できません。判断の根拠になるのは ` +
				`ファイルのバージョンであり、インストール済みの更新プログラムの一覧ではありません (Q12, Q13)。{trap}`,
			Remediation: `Windows Update または Microsoft Update カタログから {os} 用の KB3140245 を適用してください。WSUS では ` +
				`KB3140245 は [分類] の [重要な更新] ではなく [更新] に含まれます。[更新] を配信対象にするか、Microsoft Update ` +
				`カタログから KB3140245 をインポートして承認してください (Q9)。Windows Update では [推奨される更新プログラム] として ` +
				`提供されるため、[推奨される更新プログラムについても重要な更新プログラムと同様に通知する] がオンの場合にのみ適用 ` +
				`されます (Q10)。KB3140245 のサポート技術情報の [Download] ボタンはレジストリを作成するだけの Easy Fix で、` +
				`更新プログラムは適用されません (Q11)。FAQ の作成時点では、両方のファイルをより新しいバージョンに更新する月例の ` +
				`更新プログラムはなかったため、月例の更新プログラムでは代わりになりませんでした。重要なのは、どの更新プログラムに ` +
				`よるものであれ、ファイルのバージョンです (Q12)。適用後は System32\webio.dll と System32\winhttp.dll の両方が ` +
				`{threshold} 以上である必要があります (Q13)。更新プログラムと DefaultSecureProtocols は両方とも必要で、` +
				`どちらが先でも構いません (Q15)。`,
		},
		IDKBUnverified: {
			Title: `KB3140245 の適用を確認できません`,
			Detail: `System32 の DLL のバージョンを読み取れませんでした: {files}。{os} に KB3140245 が適用されているかは不明です。` +
				`適用の証明になるのはファイルのバージョンだけで、インストール済みの更新プログラムの一覧ではありません (Q12, Q13)。`,
			Remediation: `ホストで (Get-Item C:\Windows\System32\webio.dll).VersionInfo と、winhttp.dll について同様に実行し、` +
				`FileMajorPart.FileMinorPart.FileBuildPart.FilePrivatePart を確認してください。どちらも {threshold} 以上である ` +
				`必要があります (Q13)。古い場合は、WSUS ([分類] の [更新]、Q9) または Windows Update ([推奨される更新プログラム]、` +
				`Q10) で KB3140245 を適用してください。`,
		},

		IDDSPDefaultNoTLS12: {
			Title: `DefaultSecureProtocols が未設定です: {os} の WinHTTP の既定値に TLS 1.2 が含まれません`,
			Detail: `WinHTTP が利用できる DefaultSecureProtocols がありません: {seen}。そのため {os} の既定値 SSL 3.0 + TLS 1.0 ` +
				`が使用されます (Q3)。Outlook から Exchange Online への WinHTTP の通信と、BITS によるオフライン アドレス帳の ` +
				`ダウンロードで TLS 1.2 が使用されません。`,
			Remediation: `{fix}`,
		},
		IDDSPNoTLS12: {
			Title: `DefaultSecureProtocols に TLS 1.2 が含まれていません`,
			Detail: `DefaultSecureProtocols が TLS 1.2 (0x800) を含まない値に設定されています: {seen}。WinHTTP はこの値に含まれる ` +
				`バージョン (SSL 3.0 0x20、TLS 1.0 0x80、TLS 1.1 0x200、TLS 1.2 0x800) だけを使用するため、どの Windows でも ` +
				`Outlook の WinHTTP の通信で TLS 1.2 が使用されません (Q3)。`,
			Remediation: `{fix}`,
		},
		IDDSPNotDWORD: {
			Title: `DefaultSecureProtocols が REG_DWORD ではありません: WinHTTP は無視します`,
			Detail: `{seen}: WinHTTP は DefaultSecureProtocols を REG_DWORD としてのみ読み取るため、この値は無視され OS の既定値が ` +
				`使用されます。値がないものとして判定しました (Q3)。`,
			Remediation: `{keys} の値を削除し、REG_DWORD として作成し直してください (例: 0x00000a00 (2560))。グループ ポリシーの ` +
				`[基本設定] のレジストリ項目では値の種類に REG_DWORD を選択してください (Q14)。`,
		},
		IDDSPSSL3: {
			Title: `DefaultSecureProtocols で SSL 3.0 が有効です`,
			Detail: `{seen}: SSL 3.0 のビット (0x20) が設定されています。SSL 3.0 には POODLE の脆弱性があります (Q4)。` +
				`WinHTTP が TLS 1.2 を利用することは妨げません。`,
			Remediation: `{keys} で SSL 3.0 のビットを外してください: 0x00000a00 (2560) を設定するか、WinHTTP で TLS 1.0 のみに ` +
				`対応したサーバーにも接続する必要がある場合は 0x00000a80 (2688) を設定します (Q4, Q5)。`,
		},
		IDDSPUnreadable: {
			Title:  `DefaultSecureProtocols を読み取れません`,
			Detail: `DefaultSecureProtocols の読み取りに失敗しました: {seen}。WinHTTP が TLS 1.2 を使用するかは不明です (Q3)。`,
			Remediation: `ホストのローカル Administrators グループのメンバーであるアカウントでスキャンするか、ホストで reg query で ` +
				`値を確認してください。該当する各キー ({keys}) に TLS 1.2 が含まれている必要があります (Q6)。`,
		},

		IDSchannelDisabled: {
			Title: `SCHANNEL: TLS 1.2 のクライアントが無効です (Enabled=0)`,
			Detail: `{seen}: Enabled=0 は、DefaultSecureProtocols やインターネット オプションの設定にかかわらず、WinHTTP と WinINet を ` +
				`含むこのホストのすべてのクライアントで TLS 1.2 を無効にします (Q8)。`,
			Remediation: `{key} の Enabled の値を削除するか 1 (REG_DWORD) に設定し、ホストを再起動してください。SCHANNEL は起動時に ` +
				`これらの設定を読み取ります (Q8)。設定元 (GPO、セキュリティ強化のスクリプトやツール) も確認しないと、設定が元に戻ります。`,
		},
		IDSchannelDisabledByDefault: {
			Title: `SCHANNEL: TLS 1.2 が既定のネゴシエーションに含まれていません (DisabledByDefault)`,
			Detail: `{state}TLS のバージョンを SCHANNEL に任せるプログラムでは TLS 1.2 が使用されません。Outlook の Exchange ` +
				`への接続はこの設定の影響を受けません: DefaultSecureProtocols を設定した WinHTTP と WinINet は TLS 1.2 を明示的に` +
				`要求します。ただし、Outlook の POP、IMAP、SMTP のアカウントは、ホスト上のほかの SCHANNEL クライアントと同じく ` +
				`SCHANNEL を直接使用するため、TLS 1.2 を使用しません。KB3140245 (support.microsoft.com/help/3140245) には、` +
				`Office アプリケーションにこれらの SCHANNEL の設定が必要であると記載されています (Q8)。`,
			Remediation: `{key} の DisabledByDefault を 0 (REG_DWORD) に設定し、ホストを再起動してください。SCHANNEL は起動時に` +
				`この値を読み取ります (Q8、KB3140245)。{tool}0 は TLS 1.2 が既定のネゴシエーションに含まれ、1 は含まれないことを` +
				`意味します。FAQ の箇条書きではこれが逆に記載されていますが、続く段落の説明が正しい内容です。`,
		},
		IDSchannelNotDWORD: {
			Title: `SCHANNEL: {name} が REG_DWORD ではありません`,
			Detail: `{seen}: SCHANNEL は {name} を REG_DWORD としてのみ読み取るため、この値は無視されます。値がないものとして ` +
				`判定しました (Q8)。`,
			Remediation: `{key} の {name} を削除するか、REG_DWORD として作成し直し (Enabled は 1、DisabledByDefault は 0)、` +
				`ホストを再起動してください (Q8)。`,
		},
		IDSchannelUnreadable: {
			Title:  `SCHANNEL: TLS 1.2 クライアントの Enabled を読み取れません`,
			Detail: `{seen}。Enabled=0 はすべてのクライアントで TLS 1.2 を無効にするため、この値がわからないと判定できません (Q8)。`,
			Remediation: `ホストのローカル Administrators グループのメンバーであるアカウントでスキャンするか、ホストで値を確認して ` +
				`ください: reg query "{key}" /v Enabled (Q8)。`,
		},
		IDSchannelDBDUnreadable: {
			Title: `SCHANNEL: DisabledByDefault を読み取れません`,
			Detail: `{seen}。DisabledByDefault が決めるのは、TLS のバージョンを自ら指定しないプログラムの既定のネゴシエーションに ` +
				`TLS 1.2 が含まれるかどうかだけで、判定は変わりません (Q8)。`,
		},

		IDWinINetNoTLS12: {
			Title: `WinINet の SecureProtocols に TLS 1.2 が含まれていません ({scope})`,
			Detail: `{seen} は WinINet が{applies}に使用する SecureProtocols の値で、TLS 1.2 (0x800) が含まれていません。Outlook は ` +
				`Office へのサインインと先進認証、SharePoint、RSS フィードに WinINet を使用します。これらの通信で TLS 1.2 が ` +
				`使用されません (Q17)。`,
			Remediation: `{fix} (Q17)。`,
		},
		IDWinINetIEDefaultNoTLS12: {
			Title: `WinINet が Internet Explorer {ie} の既定値を使用しています: TLS 1.2 が含まれません`,
			Detail: `{applies}に適用される SecureProtocols の値がなく、Internet Explorer {ie} がインストールされているため ` +
				`({seen})、WinINet はその既定値 SSL 3.0 + TLS 1.0 (0xA0) を使用し、TLS 1.2 は含まれません。Outlook の WinINet の ` +
				`通信 (Office へのサインイン、先進認証、SharePoint) で TLS 1.2 が使用されません。Internet Explorer 11 の既定値 ` +
				`0xA80 (TLS 1.0 + 1.1 + 1.2) には含まれます (Q17)。`,
			Remediation: `既定値に TLS 1.2 が含まれる Internet Explorer 11 をインストールしてください。または: {fix} (Q17)。`,
		},
		IDWinINetSSL3: {
			Title: `WinINet で SSL 3.0 が有効です ({scope})`,
			Detail: `{seen} は WinINet が{applies}に使用する SecureProtocols の値で、SSL 3.0 (0x20) が有効です。SSL 3.0 には ` +
				`POODLE の脆弱性があります (Q4)。WinINet が TLS 1.2 を利用することは妨げません (Q17)。`,
			Remediation: `SSL 3.0 を無効にしてください。{fix} (Q17)。`,
		},
		IDWinINetNotDWORD: {
			Title: `WinINet の SecureProtocols が REG_DWORD ではありません ({scope})`,
			Detail: `{seen}: WinINet は SecureProtocols を REG_DWORD としてのみ読み取るため、{applies}についてこの値は無視され ` +
				`ます。値がないものとして判定しました (Q17)。`,
			Remediation: `値を削除するか、REG_DWORD として作成し直してください。{fix} (Q17)。`,
		},
		IDWinINetUnreadable: {
			Title:  `WinINet の SecureProtocols を読み取れません ({scope})`,
			Detail: `{seen}: この値は WinINet が{applies}に使用する TLS のバージョンを決めるため、TLS 1.2 が含まれるかは不明です (Q17)。`,
			Remediation: `ホストのローカル Administrators グループのメンバーであるアカウントでスキャンするか、ホストで値を確認して ` +
				`ください。TLS 1.2 (0x800) が含まれている必要があります (Q17)。`,
		},
		IDWinINetIEVersionUnknown: {
			Title: `WinINet の既定値が不明です: Internet Explorer のバージョンがわかりません`,
			Detail: `{applies}に適用される SecureProtocols の値がないため WinINet は Internet Explorer の既定値を使用しますが、` +
				`Internet Explorer のバージョンを判別できませんでした ({seen})。{os} では、Internet Explorer 8 から 10 の既定値には ` +
				`TLS 1.2 が含まれず、Internet Explorer 11 の既定値には含まれます (Q17)。`,
			Remediation: `ホストで Internet Explorer のバージョンを確認してください ([ヘルプ]-[バージョン情報])。11 より古い場合は ` +
				`Internet Explorer 11 をインストールしてください。または: {fix} (Q17)。`,
		},
		IDWinINetUsersNotSeen: {
			Title: `ユーザーごとの WinINet の設定を確認できません: サインインしているユーザーがいません`,
			Detail: `スキャンの時点で HKEY_USERS にユーザーのハイブが読み込まれていなかったため、ユーザーごとのインターネット ` +
				`オプションとユーザーのポリシーを読み取れませんでした。WinRM では HKEY_CURRENT_USER はスキャンに使用したアカウント ` +
				`自身のハイブであるため読み取らず、このハイブが HKEY_USERS にあっても判定しません。コンピューターの設定は、独自の設定を持たないユーザーに適用されるものとして ` +
				`判定しました。[TLS 1.2 の使用] をオフにしたユーザーがいても検出されません (Q17)。`,
			Remediation: `ユーザーごとの設定を確認するには、ユーザーがサインインしている間にもう一度スキャンしてください (Q17)。`,
		},

		IDRestartPending: {
			Title: `tlsready fix がレジストリを変更しました: 再起動待ち`,
			Detail: `tlsready fix が {changed} に {values} を変更しました。{boot}DefaultSecureProtocols はプログラムが ` +
				`WinHTTP を読み込むときに、SCHANNEL のプロトコル設定は Windows の起動時に読み取られるため、Outlook、BITS ` +
				`サービス (オフライン アドレス帳) など実行中のプログラムは、ホストを再起動するまで以前の設定を使い続けます (Q8)。`,
			Remediation: `ホストを再起動し (少なくとも Outlook と BITS など WinHTTP を使用するサービスを再起動します。SCHANNEL ` +
				`の変更には Windows の再起動が必要です)、もう一度スキャンしてください。変更後にホストが起動していれば、` +
				`この結果は表示されなくなります。`,
		},
		IDOutlookTooOld: {
			Title: `Outlook {version} は Microsoft 365 が受け付けるビルドより古いバージョンです`,
			Detail: `Outlook のビルドは {version} ({line}) です。Microsoft 365 がこの系列の Outlook を受け付けるのは ` +
				`ビルド {min} 以降です ({source})。そのため、TLS の設定にかかわらず、この Outlook は Exchange Online に ` +
				`接続できません: TLS 1.2 だけでは Microsoft 365 に接続できるようになりません。`,
			Remediation: `Office をビルド {min} 以降に更新し (MSI 版の Office は Windows Update / WSUS、クイック実行版は ` +
				`更新チャネル)、もう一度スキャンしてください ({source})。`,
		},
		IDOutlookUnsupported: {
			Title: `Outlook {product} は Microsoft 365 に接続できません`,
			Detail: `Outlook のビルドは {version} (Outlook {product}) です。Outlook 2010 以前は Microsoft 365 への接続が ` +
				`サポートされておらず、更新プログラムでサポート対象にすることもできません ({source})。このホストの TLS の ` +
				`設定でこれは変わりません。`,
			Remediation: `Office を Microsoft 365 Apps またはサポートされている Office のバージョンに置き換えてください ({source})。`,
		},
		IDCipherNoneAccepted: {
			Title: `Microsoft 365 と共通の TLS 1.2 暗号スイートがありません`,
			Detail: `TLS 1.2 は有効ですが、このホストが提示する TLS 1.2 の暗号スイート ({origin}。SCHANNEL で無効にされた ` +
				`ものを除く) は {enabled} で、Microsoft 365 はそのいずれも受け付けません。Microsoft 365 が受け付けるのは ` +
				`{m365} です ({source})。TLS 1.2 をどのように構成してもハンドシェイクは失敗します。{differ}`,
			Remediation: `このホストの Windows が持つ、Microsoft 365 が受け付けるスイートを暗号スイートの順序の先頭に置いて ` +
				`ください: {list}。GPO で順序を設定している場合は、その [SSL 暗号の順位] (コンピューターの構成 > 管理用テンプレート > ` +
				`ネットワーク > SSL 構成設定)、そうでなければローカルの順序です。それらのスイートに必要な SCHANNEL の Ciphers、` +
				`Hashes、KeyExchangeAlgorithms のキーを有効にし、ホストを再起動してください。キット (tlsready remediate) が ` +
				`SCHANNEL のキーとローカルの順序を書き込み、GPO に設定する一覧を示します ({source})。`,
		},
		IDCipherOnlyRetiring: {
			Title: `Microsoft 365 のすべてのサービスが受け付けるわけではない TLS 1.2 暗号スイートしかありません`,
			Detail: `このホストが提示する TLS 1.2 の暗号スイート ({origin}。SCHANNEL で無効にされたものを除く) は {enabled} です。` +
				`Microsoft 365 の一覧 ({source}) のうち残っているのは {weak} だけで、これらは前方秘匿性がないか SHA-1 の MAC を` +
				`使うスイートであり、Azure Front Door は TLS 1.2 で受け付けません。Outlook は Exchange Online に接続できますが、` +
				`Azure Front Door の背後にある Microsoft 365 の製品 (Teams など) はハンドシェイクに失敗します。{differ}`,
			Remediation: `このホストの Windows が持つ、Microsoft 365 が受け付けるスイートを暗号スイートの順序 (GPO で設定して ` +
				`いる場合はその [SSL 暗号の順位]、そうでなければローカルの順序) の先頭に置いてください: {list}。SCHANNEL の ` +
				`KeyExchangeAlgorithms の ECDH のキーが無効なら有効にしてください。キット (tlsready remediate) が SCHANNEL の` +
				`キーとローカルの順序を書き込み、GPO に設定する一覧を示します ({source})。`,
		},
		IDDotNetWeakTLS: {
			Title: `その他のクライアント: {frameworks} がすべてのアプリで TLS 1.2 を使用する設定になっていません`,
			Detail: `1 ではない値: {seen}。Outlook の判定はこれに左右されませんが、アドイン、当時の Teams と OneDrive の ` +
				`クライアント、管理ツールは .NET Framework で動作し、.NET Framework は TLS を自身で選択します: ` +
				`SchUseStrongCrypto と SystemDefaultTlsVersions がそのランタイムとビット数で 1 でない限り、.NET Framework ` +
				`4.5.2 以前向けにビルドされたアプリは SSL 3.0 と TLS 1.0 のみを提示し、4.6.x 向けのアプリは Windows の ` +
				`プロトコル設定に従いません ({source})。`,
			Remediation: `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319 と v2.0.50727、および 64 ビットの Windows では ` +
				`その Wow6432Node のキーで、SchUseStrongCrypto と SystemDefaultTlsVersions を 1 (REG_DWORD) に設定し ` +
				`(キットの .reg ファイル、グループ ポリシー基本設定、スクリプトで設定されます。.NET 3.5 には TLS 1.2 の` +
				`更新プログラムも必要です)、アプリを再起動してください ({source})。`,
		},
		IDDotNet40NoTLS12: {
			Title: `その他のクライアント: .NET Framework 4.0 は TLS 1.2 を使用できません`,
			Detail: `{seen}: .NET Framework 4.0 のみがインストールされており (4.5 以降なし)、TLS 1.2 をまったく使用できません。` +
				`Outlook の判定はこれに左右されませんが、.NET 4 で動作するアドインや管理ツールは Microsoft 365 に接続できません ({source})。`,
			Remediation: `.NET Framework 4.8 (または 4.8.1) をインストールし、SchUseStrongCrypto と SystemDefaultTlsVersions を ` +
				`1 に設定してください ({source})。`,
		},
		IDOfficeInfo: {
			Title: `Outlook {product}、{bits}`,
			Detail: `検出: {found}。Office のビット数: {bits}。参考情報であり、判定は変わりません。このスキャンで判定するのは構成で、` +
				`Outlook が実際に使用する TLS のバージョンはネットワーク キャプチャでのみ確認できます (Q16)。{q7}`,
		},
		IDOfficeNotFound: {
			Title: `Outlook が見つかりません`,
			Detail: `App Paths から OUTLOOK.EXE が見つかりませんでした。参考情報です: 判定の対象は、Outlook が使用するホストの ` +
				`WinHTTP、SCHANNEL、WinINet の設定です。Outlook が実際に使用する TLS のバージョンはネットワーク キャプチャでのみ ` +
				`確認できます (Q16)。{q7}`,
		},
		IDProbeOK: {
			Title: `プローブ: {target} との {protocol} ハンドシェイクに成功しました`,
			Detail: `この PC は {target} と {protocol} をネゴシエートしました: {cipher}{suites}。証明書 {subject} (発行者 ` +
				`{issuer})、チェーンのルート {root} ({thumbprint}){chain}。{judged} {via} {what} ({source})`,
		},
		IDProbeFailed: {
			Title:  `プローブ: {target} との TLS 1.2 ハンドシェイクができません ({outcome})`,
			Detail: `{detail} メッセージ: "{message}" (コード {code}、{elapsed} ms 後)。{via} {what} ({source})`,
			Remediation: `構成の判定にかかわらず、この PC の Outlook もおそらく TLS 1.2 で Microsoft 365 に接続できません: ` +
				`PC からの経路 (DNS、ファイアウォール、プロキシ、古い TLS しか通さない中継装置) と SCHANNEL の TLS 1.2 ` +
				`クライアント設定を確認し、--probe を付けて再度スキャンしてください ({source})。`,
		},
		IDProbeIntercepted: {
			Title: `プローブ: {target} への TLS が傍受されています (ルート {root})`,
			Detail: `この PC は {target} と {protocol} をネゴシエートしましたが、受け取った証明書 ({subject}、発行者 ` +
				`{issuer}) のチェーンは {root} ({thumbprint}){chain} に至り、これは Microsoft 365 が使用するルートでは` +
				`ありません ({source}): PC と Microsoft 365 の間にある何か (TLS を検査するプロキシやファイアウォール) が ` +
				`TLS を終端しており、Outlook の接続はその装置の TLS に依存します。{via} {what}`,
			Remediation: `Microsoft の推奨どおり Microsoft 365 のエンドポイントを TLS 検査の対象から除外するか ` +
				`(https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-network-connectivity-principles)、` +
				`その装置が PC と Microsoft 365 の両方に TLS 1.2 を提示することを確認してください ({source})。`,
		},
		IDProbeNeedsShell: {
			Title: `このホストではプローブを実行していません: シェルが必要です`,
			Detail: `このホストは WMI で読み取られ ({reason})、ホスト上でプロセスを起動しないため、{target} との ` +
				`TLS 1.2 ハンドシェイクを試みられませんでした: プローブは PowerShell のコレクターで実行されます。` +
				`プローブするには --method shell --probe でスキャンしてください ({source})。`,
		},
	},

	phrases: map[string]string{
		"list.sep": `、`,
		"list.and": ` と `,

		// Evidence as a text shows it.
		"seen":            `{key}\{name} = {value}`,
		"seen.typed":      `{key}\{name} = {type} "{value}"`,
		"seen.view":       `{key}\{name} ({view} ビュー) = {value}`,
		"seen.view.typed": `{key}\{name} ({view} ビュー) = {type} "{value}"`,
		"seen.file":       `{path} {value}`,

		// Windows releases.
		"os.unknown":   `この Windows のリリース`,
		"os.xp":        `Windows XP / Windows Server 2003 以前`,
		"os.vista":     `Windows Vista`,
		"os.2008":      `Windows Server 2008`,
		"os.7":         `SP1 未適用の Windows 7`,
		"os.2008r2":    `SP1 未適用の Windows Server 2008 R2`,
		"os.7sp1":      `Windows 7 SP1`,
		"os.2008r2sp1": `Windows Server 2008 R2 SP1`,
		"os.8":         `Windows 8`,
		"os.2012":      `Windows Server 2012`,
		"os.modern":    `Windows 8.1 / Server 2012 R2 以降`,

		// What an unsupported release must move to.
		"target.current": `OS を最新の Windows のリリースに移行してください`,
		"target.2008r2":  `サーバーを Windows Server 2008 R2 SP1 以降に移行してください。できれば最新の Windows Server のリリースに移行してください`,
		"target.sp1":     `サービス パック 1 を適用してから KB3140245 と DefaultSecureProtocols を設定してください。できれば最新の Windows のリリースに移行してください`,
		"target.81":      `Windows 8.1 以降にアップグレードしてください。できれば最新の Windows のリリースに移行してください`,

		// KB3140245.
		"kb.trap": `このホストでは DefaultSecureProtocols に既に TLS 1.2 が含まれていますが、DLL は古いままです。これは ` +
			`KB3140245 のサポート技術情報の [Download] ボタンでよくある問題です: このボタンはレジストリを作成するだけの ` +
			`Easy Fix で、更新プログラムは適用されません (Q11)。`,

		// DefaultSecureProtocols.
		"dsp.fix": `{keys} に DefaultSecureProtocols を 0x00000a00 (2560: TLS 1.1 + TLS 1.2)、種類 REG_DWORD で設定してください ` +
			`(Q4, Q6)。このホストのプログラムが WinHTTP で TLS 1.0 のみに対応したサーバーにも接続する必要がある場合は、代わりに ` +
			`0x00000a80 (2688: TLS 1.0 + TLS 1.1 + TLS 1.2) を設定します (Q5)。グループ ポリシーでは、[コンピューターの構成]-` +
			`[基本設定]-[Windows の設定]-[レジストリ] にキーごとにレジストリ項目を 1 つずつ追加します: {gpo}。その後ホストで ` +
			`gpupdate /force を実行するか、次のポリシーの更新を待ちます。構成管理ツールで同じ値を設定することもできます (Q14)。` +
			`{bothkeys}{needkb}`,
		"dsp.gpo.item": `[アクション: 更新、ハイブ: HKEY_LOCAL_MACHINE、キーのパス: {keypath}、値の名前: DefaultSecureProtocols、` +
			`値の種類: REG_DWORD、値: 0x00000a00 (10 進数 : 2560)]`,
		"dsp.bothkeys": `64 ビットの Windows では、Office が 32 ビットでも両方のキーが必要です: 32 ビットのプログラムは ` +
			`Wow6432Node のキーを読み取り、キャッシュモードの Outlook はオフライン アドレス帳を WinHTTP を使用する 64 ビットの ` +
			`サービスである BITS でダウンロードします (Q6, Q7)。`,
		"dsp.needkb": `この値は KB3140245 と組み合わせた場合にのみ機能します。どちらが先でも構いません (Q15)。`,

		// SCHANNEL DisabledByDefault.
		// Restart pending.
		"restart.boot.before":  `ホストの最終起動はその前の {boot} です。`,
		"restart.boot.unknown": `ホストが最終起動時刻を報告しなかったため、その後に再起動したかどうかは不明です。`,

		"sch.dbd.absent":  `{key} に DisabledByDefault が設定されていません。{os} では 1 と同じ動作になります。`,
		"sch.dbd.ignored": `{seen} は REG_DWORD ではないため SCHANNEL に無視されます。{os} では 1 と同じ動作になります。`,
		"sch.dbd.set":     `{seen}: 0 以外の値では TLS 1.2 は既定のネゴシエーションに含まれません。`,
		// What sets DisabledByDefault: tlsready's opt-in for Windows 7 / Server 2008 R2, or whatever
		// set it elsewhere.
		"sch.dbd.tool.absent": `「tlsready remediate --win7-schannel」で修復キットにこの値が含まれ、「tlsready fix --win7-schannel」で` +
			`この値が書き込まれます。このフラグを指定しない限り、どちらも SCHANNEL を変更しません。`,
		"sch.dbd.tool.set": `設定したもの (GPO、セキュリティ強化のスクリプトやツール) を確認してください。そのままでは元に戻ります。`,

		// WinINet: whose setting, who it applies to, how to fix it.
		"inet.scope.policy":     `コンピューターのポリシー`,
		"inet.scope.userpolicy": `{sid} のユーザーのポリシー`,
		"inet.scope.user":       `ユーザー {sid}`,
		"inet.scope.machine":    `コンピューターの設定`,

		"inet.applies.policy":     `すべてのユーザー (コンピューターのポリシーはすべてのユーザーの設定より優先されます) `,
		"inet.applies.userpolicy": `ユーザー {sid} (ユーザーのポリシーはユーザー自身の設定より優先されます) `,
		"inet.applies.user":       `ユーザー {sid} `,
		"inet.applies.nousers":    `独自の設定を持たないユーザー`,
		"inet.applies.fallback":   `独自の設定を持たないユーザー (その中に {sids}) `,

		"inet.fix.policy": `設定しているコンピューターのポリシーを変更してください: [コンピューターの構成]-[管理用テンプレート]-` +
			`[Windows コンポーネント]-[Internet Explorer]-[インターネット コントロール パネル]-[詳細設定ページ]-[暗号化のサポートを` +
			`オフにする] を [有効] にし、TLS 1.2 を含む組み合わせ (例: [TLS 1.0、TLS 1.1、TLS 1.2 を使用する] (0xA80)) を選択します。` +
			`その後 gpupdate /force を実行します`,
		"inet.fix.userpolicy": `{sid} に設定しているユーザーのポリシーを変更してください: [ユーザーの構成]-[管理用テンプレート]-` +
			`[Windows コンポーネント]-[Internet Explorer]-[インターネット コントロール パネル]-[詳細設定ページ]-[暗号化のサポートを` +
			`オフにする] を [有効] にし、TLS 1.2 を含む組み合わせ (例: [TLS 1.0、TLS 1.1、TLS 1.2 を使用する] (0xA80)) を選択します`,
		"inet.fix.user": `ユーザー {sid} について、[インターネット オプション]-[詳細設定] で [TLS 1.2 の使用] をオンにするか、` +
			`HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings の SecureProtocols を ` +
			`0x00000a80 (2688) に設定してください。全員に適用するには、ポリシー [暗号化のサポートをオフにする] ([Internet ` +
			`Explorer]-[インターネット コントロール パネル]-[詳細設定ページ]) を [TLS 1.0、TLS 1.1、TLS 1.2 を使用する] で有効にします`,
		"inet.fix.machine": `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings の ` +
			`SecureProtocols を 0x00000a80 (2688: TLS 1.0 + 1.1 + 1.2) に設定するか、コンピューターのポリシー [暗号化のサポートを` +
			`オフにする] ([Internet Explorer]-[インターネット コントロール パネル]-[詳細設定ページ]) を [TLS 1.0、TLS 1.1、` +
			`TLS 1.2 を使用する] で有効にしてください`,

		// Office.
		"office.q7": `64 ビットの Windows では、Office のビット数にかかわらず両方の WinHttp のキーが必要です: 32 ビットの ` +
			`Outlook は Wow6432Node のキーを読み取り、64 ビットのサービスである BITS はネイティブのキーを使用してオフライン ` +
			`アドレス帳をダウンロードします (Q7)。`,
		"outlook.16":          `2016 以降 (Microsoft 365 Apps、2019、2021、2024)`,
		"outlook.15":          `2013`,
		"outlook.14":          `2010`,
		"outlook.12":          `2007`,
		"outlook.other":       `{version}`,
		"cipher.from.policy":  `グループ ポリシーで設定された暗号スイートの順序`,
		"cipher.from.local":   `ローカルの暗号スイートの順序`,
		"cipher.from.default": `Windows の既定の一覧 ({source})`,
		"cipher.differ.frontdoor": `Microsoft のページ間で記載が食い違っています: Microsoft 365 の暗号化の技術リファレンスは ` +
			`{weak} を削除予定なしでサポート対象としていますが、同じリファレンスが一部の Microsoft 365 製品に必要とする ` +
			`Azure Front Door ({frontdoor}) は TLS 1.2 でそのいずれも受け付けません。`,
		"cipher.differ.dhe": `Microsoft のページ間で記載が食い違っています: Microsoft 365 の暗号化の技術リファレンスは DHE ` +
			`スイート ({dhe}) を Windows 7、8、8.1 向けに Azure Front Door で提供するとしていますが、Azure Front Door は ` +
			`{date} にそのネゴシエーションを停止しました ({retirement})。`,
		"outlook.line.c2r":  `Microsoft 365 Apps、クイック実行版。Microsoft 365 が受け付けるのはバージョン 1706 以降`,
		"outlook.line.msi":  `Office 2016 以降、Windows インストーラー (MSI) 版`,
		"outlook.line.2013": `Office 2013`,
		"bits.32":           `32 ビット`,
		"bits.64":           `64 ビット`,
		"bits.unknown":      `ビット数不明`,

		// プローブ (rules_probe.go)。
		"probe.reason.wmi": `--method wmi、またはシェルを拒否したホストでの --method auto`,
		"probe.what": `プローブは WinHTTP の要求ではなく、TLS 1.2 のみを指定した .NET の SslStream による SCHANNEL ` +
			`ハンドシェイクです: WinHttp.WinHttpRequest COM オブジェクトは独自にセキュア プロトコルを設定し ` +
			`(WinHttpRequestOption_SecureProtocols、https://learn.microsoft.com/windows/win32/winhttp/winhttprequestoption)、` +
			`DefaultSecureProtocols はそれを設定するプログラムの動作を変えないため (KB3140245)、Outlook の WinHTTP の` +
			`動作を示しません。プローブが証明するのは、この PC の SCHANNEL が接続先と TLS 1.2 を完了でき、ネットワーク経路が` +
			`それを通すことです。WinHTTP の DefaultSecureProtocols や WinINet の SecureProtocols が TLS 1.2 を含むことは` +
			`証明せず、それは構成の検出結果が判定します。`,
		"probe.via.direct": `スキャンに使ったアカウントで WinRM セッション内から実行し、直接接続しました (WinHTTP ` +
			`プロキシは未構成)。PC のユーザーの WinINet プロキシや PAC ファイルは使用していません。`,
		"probe.via.bypass": `スキャンに使ったアカウントで WinRM セッション内から実行し、WinHTTP がこの接続先に対して行うとおり` +
			`直接接続しました。コンピューターの WinHTTP プロキシ {proxy} はこの接続先には使われません (バイパス リストに` +
			`接続先が含まれるか、プロキシ リストに https 用のエントリがありません)。PC のユーザーの WinINet プロキシや ` +
			`PAC ファイルは使用していません。`,
		"probe.via.proxy": `スキャンに使ったアカウントで WinRM セッション内から、コンピューターの WinHTTP プロキシ ` +
			`{proxy} 経由で実行しました。PC のユーザーの WinINet プロキシや PAC ファイルは使用していません。`,
		"probe.root.microsoft": `ルートは Microsoft 365 のものです ({chains})。`,
		"probe.root.notjudged": `{target} は Microsoft 365 の名前ではないため、ルートは報告のみで判定しません。`,
		"probe.suites":         ` (スイート。.NET は名前を示しません: {list})`,
		"probe.chain":          ` (チェーンの状態: {status})`,
		"probe.failed.noroute": `この PC は {target} に到達できませんでした: 名前が解決できないか、TCP 接続ができません` +
			`でした。`,
		"probe.failed.noroute.proxy": `この PC は {target} に直接到達できず、PC のユーザー ({users}) には WinINet の` +
			`プロキシまたは PAC ファイルが設定されています: Outlook が使い、プローブが使わなかったプロキシがおそらく必要です。`,
		"probe.failed.proxy": `コンピューターの WinHTTP プロキシ {proxy} が {target} への接続を拒否したか、認証を` +
			`要求しました。`,
		"probe.failed.refused": `{target} への TCP 接続はできましたが、TLS 1.2 ハンドシェイクが失敗しました: 相手側 ` +
			`(または経路上の古い TLS しか通さないファイアウォールやプロキシ) が拒否したか、PC の SCHANNEL が相手の受け付ける ` +
			`TLS 1.2 暗号スイートを提示していません。`,
		"probe.failed.error": `プローブを PC 上で実行できませんでした。PowerShell 2.0 (.NET 2.0-3.5) では TLS 1.2 に ` +
			`.NET の TLS 1.2 更新プログラムが必要です (Windows 7 SP1 では KB3154518、https://support.microsoft.com/help/3154518)。`,
	},

	types: map[string]string{
		IDRestartPending:            `tlsready fix による変更後の再起動待ち`,
		IDOSUnsupported:             `OS が TLS 1.2 を利用できません: OS の移行が必要`,
		IDOSUnsupportedRecorded:     `AD に記録された OS が TLS 1.2 を利用できません (未接続)`,
		IDOSVersionUnknown:          `Windows のリリースを判別できません`,
		IDCollector32Bit:            `32 ビットの PowerShell で収集: 判定なし`,
		IDKBMissing:                 `KB3140245 が適用されていません`,
		IDKBUnverified:              `KB3140245 の適用を確認できません`,
		IDDSPNoTLS12:                `DefaultSecureProtocols に TLS 1.2 が含まれていません`,
		IDDSPDefaultNoTLS12:         `DefaultSecureProtocols が未設定で、既定値に TLS 1.2 が含まれません`,
		IDDSPNotDWORD:               `DefaultSecureProtocols が REG_DWORD ではありません`,
		IDDSPSSL3:                   `DefaultSecureProtocols で SSL 3.0 が有効です`,
		IDDSPUnreadable:             `DefaultSecureProtocols を読み取れません`,
		IDSchannelDisabled:          `SCHANNEL: TLS 1.2 のクライアントが無効です`,
		IDSchannelDisabledByDefault: `SCHANNEL: TLS 1.2 が既定のネゴシエーションに含まれていません`,
		IDSchannelNotDWORD:          `SCHANNEL の値が REG_DWORD ではありません`,
		IDSchannelUnreadable:        `SCHANNEL の TLS 1.2 の設定を読み取れません`,
		IDSchannelDBDUnreadable:     `SCHANNEL の DisabledByDefault を読み取れません`,
		IDWinINetNoTLS12:            `WinINet の SecureProtocols に TLS 1.2 が含まれていません`,
		IDWinINetIEDefaultNoTLS12:   `WinINet: Internet Explorer の既定値に TLS 1.2 が含まれません`,
		IDWinINetSSL3:               `WinINet で SSL 3.0 が有効です`,
		IDWinINetNotDWORD:           `WinINet の SecureProtocols が REG_DWORD ではありません`,
		IDWinINetUnreadable:         `WinINet の SecureProtocols を読み取れません`,
		IDWinINetIEVersionUnknown:   `Internet Explorer のバージョンが不明です`,
		IDWinINetUsersNotSeen:       `ユーザーのプロファイルが読み込まれていません: ユーザーごとの設定は未確認`,
		IDOfficeInfo:                `Outlook を検出`,
		IDCipherNoneAccepted:        `Microsoft 365 と共通の TLS 1.2 暗号スイートなし`,
		IDCipherOnlyRetiring:        `一部の Microsoft 365 サービスが受け付けない TLS 1.2 暗号スイートのみ`,
		IDDotNetWeakTLS:             `その他のクライアント: .NET Framework がすべてのアプリで TLS 1.2 を使用する設定になっていません`,
		IDDotNet40NoTLS12:           `その他のクライアント: .NET Framework 4.0 は TLS 1.2 を使用できません`,
		IDOutlookTooOld:             `Microsoft 365 が受け付けるより古い Outlook`,
		IDOutlookUnsupported:        `Outlook 2010 以前: Microsoft 365 に接続できません`,
		IDOfficeNotFound:            `Outlook が見つかりません`,
		IDProbeOK:                   `プローブ: TLS 1.2 ハンドシェイク成功`,
		IDProbeFailed:               `プローブ: Microsoft 365 と TLS 1.2 ハンドシェイクができません`,
		IDProbeIntercepted:          `プローブ: TLS が傍受されています (証明書が Microsoft のものではありません)`,
		IDProbeNeedsShell:           `プローブ未実行: WMI で読み取り、シェルが必要です`,
	},
}
