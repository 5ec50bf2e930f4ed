package remediate

// readmeJA is the Japanese README.txt of the kit, keyed as readmeEN, in the FAQ's terms.
var readmeJA = map[string]string{
	"only64":   "   (64 ビットの Windows のみ)",
	"novalues": "  (なし: レジストリの設定が必要なホストはありません)",
	"body": `Outlook と Office 365 の TLS 1.2 対応 - tlsready が作成した対処キット
=======================================================================

スキャンの結果
  KB3140245 の適用が必要なホスト: {kb} 台 ({kbfile})
  TLS 1.2 に対応できない OS で移行が必要なホスト: {migrate} 台 ({migratefile})
  レジストリの設定だけが必要なホスト: {regonly} 台 ({regonlyfile})
  確認できなかったホスト: {unknown} 台 (判断する前に tlsready rescan で再スキャンしてください)

レジストリ (DefaultSecureProtocols = {protocols})
{values}

ファイル
  {reg64}   64 ビットの Windows 用 (両方の WinHttp のキー、Q6, Q7): reg import {reg64}
  {reg32}   32 ビットの Windows 用 (Wow6432Node のキーなし)
  {xml}     グループ ポリシーの [基本設定] のレジストリ項目 ([コンピューターの構成]-[基本設定]-
               [Windows の設定]-[レジストリ]、アクション: 更新、REG_DWORD、Q14): 項目を GPMC の
               エディターにコピーするか、ファイルを GPO の Machine\Preferences\Registry にコピーします
  {script}  同じ値を 1 台のホストに設定します。何度実行しても同じ結果になります。まず -WhatIf で確認してください
  hosts-*.csv  対象の一覧 (名前、識別名、OS): WSUS のコンピューター グループや ConfigMgr のコレクションに

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
     更新を待ちます (Q14)。SCHANNEL の設定は再起動後に有効になります。
  5. 再スキャン: tlsready rescan --from RESULTS.jsonl --verdict action,unknown の後、tlsready merge。
  6. {migratefile} のホストは WinHTTP で TLS 1.2 を利用できません (Q2)。OS を移行または
     アップグレードしてください。レジストリの設定では対応できません。
`,
}
