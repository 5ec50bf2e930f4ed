package report

import (
	"strings"

	"github.com/tlsready/tlsready/checks"
)

// tableText is every word of the terminal tables and the CSV's text cells, per language. Keys
// are stable; a missing key shows as "{?key}", which the tests reject.
var tableText = map[string]map[string]string{
	checks.English: {
		"col.host":                 "HOST",
		"col.os":                   "OS",
		"col.verdict":              "VERDICT",
		"col.todo":                 "WHAT TO DO",
		"col.hosts":                "HOSTS",
		"col.meaning":              "MEANING",
		"col.finding":              "FINDING",
		"col.severity":             "SEVERITY",
		"col.faq":                  "FAQ",
		"col.change":               "CHANGE",
		"col.old":                  "BEFORE",
		"col.new":                  "NOW",
		"total":                    "total",
		"meaning.ready":            "TLS 1.2 will be used; nothing to do",
		"meaning.action":           "fix on the host (update or registry)",
		"meaning.unsupported":      "OS cannot use TLS 1.2: replace it",
		"meaning.unknown":          "not checked: see the error",
		"todo.nothing":             "nothing",
		"todo.warning":             "nothing required (1 warning: {title})",
		"todo.warnings":            "nothing required ({n} warnings)",
		"todo.notchecked":          "{title} (not checked: {error})",
		"os.ad":                    "{os} (AD)",
		"change.regressed":         "regressed: was ready",
		"change.newly-unreachable": "newly unreachable",
		"change.fixed":             "fixed",
		"change.reached":           "checked again",
		"change.changed":           "verdict changed",
		"change.new":               "new host",
		"change.gone":              "gone",
		"change.unchanged":         "unchanged",
	},
	checks.Japanese: {
		"col.host":                 "ホスト",
		"col.os":                   "OS",
		"col.verdict":              "判定",
		"col.todo":                 "対処",
		"col.hosts":                "台数",
		"col.meaning":              "意味",
		"col.finding":              "検出事項",
		"col.severity":             "重要度",
		"col.faq":                  "FAQ",
		"col.change":               "変化",
		"col.old":                  "前回",
		"col.new":                  "今回",
		"total":                    "合計",
		"meaning.ready":            "TLS 1.2 が使用されます。対処は不要です",
		"meaning.action":           "ホストでの対処が必要です (更新プログラムまたはレジストリ)",
		"meaning.unsupported":      "OS が TLS 1.2 に対応できません。OS を移行してください",
		"meaning.unknown":          "確認できませんでした。エラーを参照してください",
		"todo.nothing":             "対処不要",
		"todo.warning":             "対処不要 (警告 1 件: {title})",
		"todo.warnings":            "対処不要 (警告 {n} 件)",
		"todo.notchecked":          "{title} (未確認: {error})",
		"os.ad":                    "{os} (AD)",
		"change.regressed":         "悪化: 以前は対応済み",
		"change.newly-unreachable": "新たに接続不可",
		"change.fixed":             "対処済み",
		"change.reached":           "再確認済み",
		"change.changed":           "判定が変化",
		"change.new":               "新しいホスト",
		"change.gone":              "なくなったホスト",
		"change.unchanged":         "変化なし",
	},
}

// tt returns the table text of key in lang (English when lang has none), with each {name}
// replaced by the argument that follows it: tt(lang, "todo.warnings", "n", "3").
func tt(lang, key string, kv ...string) string {
	m, ok := tableText[lang]
	if !ok {
		m = tableText[checks.English]
	}
	s, ok := m[key]
	if !ok {
		return "{?" + key + "}"
	}
	if len(kv) == 0 {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
