package checks

// japanese is every Japanese text of the package, keyed as english is (texts_en.go). The terms
// follow the original FAQ: レジストリ, 更新プログラム, 既定値, セキュリティ更新プログラム ...
var japanese = catalogue{
	findings: map[string]findingText{},
	phrases:  map[string]string{},
}
