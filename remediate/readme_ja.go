package remediate

// readmeJA is the Japanese README.txt of the kit, keyed as readmeEN, in the FAQ's terms.
var readmeJA = map[string]string{
	"only64":   "   (64 ビットの Windows のみ)",
	"orin":     "   (スクリプトは既存の REG_DWORD にこのビットを追加します)",
	"novalues": "  (なし: レジストリの設定が必要なホストはありません)",
	"kitonly":  "   (暗号スイート: \"tlsready fix\" はこの値を書き込まず、キットに任せます)",
	"cipher": `

暗号スイート (CIPHER_NONE_ACCEPTED、CIPHER_ONLY_RETIRING)
  上記の SCHANNEL の Ciphers、Hashes、KeyExchangeAlgorithms の値は、Microsoft の KB245030 (Schannel.dll
  で特定の暗号化アルゴリズムとプロトコルの使用を制限する) が有効なアルゴリズムに示す 0xffffffff に設定します。
  対象は Enabled = 0 によって Microsoft 365 が受け付けるすべてのスイートが除かれるキーだけで、RC4、3DES、MD5、
  SHA-1 の MAC、RSA 鍵交換だけを除くキーは無効のままです。Microsoft のページ間で記載が食い違っています: TLS の
  レジストリ設定のページは、これらのキーではなく暗号スイートの順序で制御するよう記載しています。キットは既に
  設定された 0 を元に戻すだけです。"tlsready fix" は暗号スイートをキットに任せます。
{orders}`,
	"policy": `  これらのホストの順序はグループ ポリシーで設定されています。キットは
  HKLM\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002 の Functions に書き込みません。
  これらに適用される GPO で [コンピューターの構成] > [管理用テンプレート] > [ネットワーク] > [SSL 構成設定] >
  [SSL 暗号の順位] を [有効] にし、次の一覧 (1 行、コンマ区切り、{source}) を設定して gpupdate /force を実行し、
  ホストを再起動してください:
    {release}: {hosts}
      {list}`,
	"local": `  これらのホストのローカルの順序 (HKLM\{key} の Functions) には
  Microsoft 365 が受け付けるスイートがありません。{script} が次のスイートを先頭に追加し、残りはそのまま
  残します ({source})。その後ホストを再起動してください:
    {release}: {hosts}
      {list}`,
	"win7on": `  SCHANNEL の TLS 1.2 Client の DisabledByDefault = 0 (Enabled がない場合は Enabled = 1 も) を、これが
  ない Windows 7 / Windows Server 2008 R2 SP1 のホストに設定します (--win7-schannel)。KB3140245 には
  Office アプリケーションに SCHANNEL の設定が必要と記載されており、Outlook の POP、IMAP、SMTP の
  アカウントは SCHANNEL を直接使用します。`,
	"win7off": `  SCHANNEL_DISABLED_BY_DEFAULT の Windows 7 / Windows Server 2008 R2 SP1 のホスト: "tlsready remediate
  --win7-schannel" (または "tlsready fix --win7-schannel") で SCHANNEL の TLS 1.2 Client の
  DisabledByDefault = 0 を追加できます (KB3140245: Office アプリケーションに必要です。Outlook の
  POP、IMAP、SMTP のアカウントは SCHANNEL を直接使用します)。`,
	"body": `Outlook と Office 365 の TLS 1.2 対応 - tlsready が作成した対処キット
=======================================================================
{faq}

スキャンの結果
  KB3140245 の適用が必要なホスト: {kb} 台 ({kbfile})
  TLS 1.2 に対応できない OS で移行が必要なホスト: {migrate} 台 ({migratefile})
  レジストリの設定だけが必要なホスト: {regonly} 台 ({regonlyfile})
  確認できなかったホスト: {unknown} 台 (判断する前に tlsready rescan で再スキャンしてください)

レジストリ (DefaultSecureProtocols = {protocols})
{values}

{win7}{cipher}

これらの値が必要なのは {kbfile} と {regonlyfile} のホストだけです
(どの値が必要かは一覧の findings 列に示されます。"tlsready fix" は各ホストに必要な値だけを書き込みます)。.reg ファイルとグループ ポリシーの基本設定の項目は値を設定する
ことしかできず、既存の値を置き換えます。意図して設定した 0x00000a80 (TLS 1.0 を残す設定、Q4, Q5) や
Windows 11 / Windows Server 2022 の TLS 1.3 のビット 0x2000 は失われます。GPO はこの 2 つの一覧の
ホストだけに適用してください (GPO のセキュリティ フィルターのセキュリティ グループ、または項目
レベルのターゲット)。ドメイン全体には適用しないでください。{script} と "tlsready fix" は既存の値に
TLS 1.2 を追加します。

ファイル
  {reg64}   64 ビットの Windows 用 (両方の WinHttp のキー、Q6, Q7)。管理者として実行した 64 ビットの
               コマンド プロンプトで reg import {reg64} /reg:64 を実行します (32 ビットの配布
               エージェントなど 32 ビットのプログラムから起動した reg.exe は、/reg:64 がないと
               Wow6432Node にリダイレクトされます)
  {reg32}   32 ビットの Windows 用 (Wow6432Node のキーなし)
  {xml}     グループ ポリシーの基本設定のレジストリ項目 (アクション: 更新、REG_DWORD、Q14)。
               グループ ポリシー管理エディターで [コンピューターの構成]-[基本設定]-[Windows の設定]-
               [レジストリ] を開き、{xml} の項目 (テキスト エディターで開いて <Collection> 要素) を
               コピーして貼り付けます。{xml} を SYSVOL の GPO のフォルダーにコピーしないでください。
               GPO 自身のファイルを上書きし、レジストリの基本設定がまだない GPO では無視されます。
  {script}  同じ値を 1 台のホストに設定します。既存の DefaultSecureProtocols と SecureProtocols には
               TLS 1.2 を追加します。何度実行しても同じ結果になります。まず -WhatIf で確認してください。
               管理者として次のように実行します (Windows 7 の実行ポリシーは既定で Restricted です):
                 powershell -ExecutionPolicy Bypass -File {script}
  hosts-*.csv  対象の一覧 (名前、識別名、OS): WSUS のコンピューター グループ、ConfigMgr のコレクション、
               GPO のセキュリティ グループに

作業の順序
  1. KB3140245 とレジストリは両方とも必要で、どちらが先でも構いません (Q15)。並行して配布してください。
  2. KB3140245 は WSUS の [分類] の [重要な更新] ではなく [更新] に含まれます。{kbfile} の
     コンピューターに [更新] を承認するか、Microsoft Update カタログから KB3140245 をインポートして
     承認してください (Q9)。Windows Update では [推奨される更新プログラム] として提供され、
     [推奨される更新プログラムについても重要な更新プログラムと同様に通知する] がオンの場合にのみ
     自動で適用されます (Q10)。
  3. KB3140245 のサポート技術情報の [Download] ボタンはレジストリを作成するだけの Easy Fix で、
     更新プログラムは適用されません (Q11)。適用の確認は System32\webio.dll と winhttp.dll の
     バージョンで行います (tlsready が読み取ります)。
  4. GPO をリンクした後、すぐに反映するにはホストで gpupdate /force を実行するか、次のポリシーの
     更新を待ちます (Q14)。
  5. 変更後は各ホストを再起動してください。DefaultSecureProtocols はプログラムが WinHTTP を読み込む
     ときに読み取られるため、Outlook と BITS サービス (オフライン アドレス帳) は再起動するまで以前の
     設定を使い続けます。SCHANNEL の設定は Windows の再起動後に有効になります (Q8)。
  6. 再スキャン: tlsready rescan --from RESULTS.jsonl --verdict action,unknown の後、tlsready merge。
  7. {migratefile} のホストは WinHTTP で TLS 1.2 を利用できません (Q2)。OS を移行または
     アップグレードしてください。レジストリの設定では対応できません。
`,
}
