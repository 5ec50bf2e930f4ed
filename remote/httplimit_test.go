package remote

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// answerWith builds an HTTP answer whose header section (status line, headers, empty line) is
// exactly size bytes, made of lines header lines, with body after it.
func answerWith(size, lines int, body string) string {
	status := "HTTP/1.1 200 OK\r\n"
	fixed := fmt.Sprintf("Content-Length: %d\r\n", len(body))
	var b strings.Builder
	b.WriteString(status)
	b.WriteString(fixed)
	rest := size - len(status) - len(fixed) - 2 // the empty line
	for i := 2; i < lines; i++ {
		n := rest / (lines - i) // spread the bytes over the remaining lines
		line := fmt.Sprintf("X-%d: ", i)
		line += strings.Repeat("a", n-len(line)-2) + "\r\n"
		b.WriteString(line)
		rest -= len(line)
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.String()
}

// The limits of one answer read by http.ReadResponse over answerLimiter, at their edges.
func TestAnswerLimiter(t *testing.T) {
	tests := []struct {
		name    string
		answers []string // read one after another on the same connection
		want    string   // in the error of the last answer; "" for none
	}{
		{"small answers, one after another", []string{answerWith(200, 5, "hello"), answerWith(300, 8, "world")}, ""},
		{"header section of exactly 64 KB", []string{answerWith(maxHeaderBytes, 40, "body")}, ""},
		{"header section over 64 KB", []string{answerWith(maxHeaderBytes+1, 40, "body")}, "more than 64 KB of HTTP headers"},
		{"64 KB after a first answer of 60 KB", []string{answerWith(60<<10, 30, "x"), answerWith(maxHeaderBytes, 30, "y")}, ""},
		{"one header line of 70 KB", []string{answerWith(70<<10, 3, "")}, "more than 64 KB of HTTP headers"},
		{"status line of 70 KB", []string{"HTTP/1.1 200 " + strings.Repeat("K", 70<<10) + "\r\n\r\n"}, "more than 64 KB of HTTP headers"},
		{"128 lines", []string{answerWith(8<<10, maxHeaderLines, "b")}, ""},
		{"129 lines", []string{answerWith(8<<10, maxHeaderLines+1, "b")}, fmt.Sprintf("more than %d HTTP header lines", maxHeaderLines)},
		{"129 lines of 4 bytes, within one read", []string{"HTTP/1.1 200 OK\r\n" + strings.Repeat("A:\r\n", maxHeaderLines) + "\r\n"},
			fmt.Sprintf("more than %d HTTP header lines", maxHeaderLines)},
		{"body over its wire limit", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strings.Repeat(fmt.Sprintf("%x\r\n%s\r\n", 64<<10, strings.Repeat("z", 64<<10)), maxBodyWireBytes/(64<<10)+1) + "0\r\n\r\n"},
			fmt.Sprintf("the host sent an answer of more than %d bytes", maxBodyWireBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := &answerLimiter{r: strings.NewReader(strings.Join(tt.answers, ""))}
			br := bufio.NewReaderSize(lim, 4<<10)
			var err error
			for i := range tt.answers {
				lim.start()
				var resp *http.Response
				resp, err = http.ReadResponse(br, nil)
				if lerr := lim.headerErr(); lerr != nil {
					err = lerr // as connRoundTripper does
				}
				if err == nil {
					_, err = io.ReadAll(resp.Body)
				}
				if err != nil && i < len(tt.answers)-1 {
					t.Fatalf("answer %d: %v", i+1, err)
				}
			}
			var pe *ProtocolError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &pe)):
				t.Errorf("err = %v, want a *ProtocolError saying %q", err, tt.want)
			case tt.want != "" && CategoryOf(err) != CategoryWinRM:
				t.Errorf("category %s, want winrm", CategoryOf(err))
			}
		})
	}
}
