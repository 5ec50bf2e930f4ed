package checks

// FAQURL is where the FAQ that the Q numbers of every finding, table, report and kit refer to
// was published: the blog of Microsoft Japan's Outlook support team, which posted "Outlook
// クライアントでの TLS 1.2 への対応についてよくある質問" in 2018 beside its article
// https://blogs.technet.microsoft.com/outlooksupportjp/2018/01/05/tls/ (DESIGN.md restates
// its rules).
const FAQURL = "https://blogs.technet.microsoft.com/outlooksupportjp/"

// FAQTitle is the FAQ's title in lang, for the one line that names it wherever Q numbers appear.
func FAQTitle(lang string) string {
	if lang == Japanese {
		return "Outlook クライアントでの TLS 1.2 への対応についてよくある質問 (日本マイクロソフト Outlook サポート チーム ブログ, 2018)"
	}
	return "FAQ on TLS 1.2 for Outlook clients and Office 365 (Microsoft Japan Outlook support team blog, 2018; in Japanese)"
}

// FAQReference is the line that names the FAQ in lang: "Q numbers: TITLE, URL".
func FAQReference(lang string) string {
	if lang == Japanese {
		return "Q 番号は次の FAQ の質問番号です: " + FAQTitle(lang) + " " + FAQURL
	}
	return "Q numbers refer to the " + FAQTitle(lang) + ": " + FAQURL
}
