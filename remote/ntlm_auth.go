package remote

import (
	"context"
	"crypto/tls"
	"errors"

	"github.com/tlsready/tlsready/remote/ntlm"
	"github.com/tlsready/tlsready/remote/wsmv"
)

func init() { RegisterMechanism(ntlmMechanism{}) }

// ntlmMechanism is NTLMv2 as Windows clients use it for WinRM: raw NTLMSSP tokens under the
// HTTP scheme "Negotiate", the SPN HTTP/<host> in MsvAvTargetName, channel bindings over HTTPS,
// and MS-WSMV encryption with the NTLM session over HTTP.
type ntlmMechanism struct{}

func (ntlmMechanism) Name() string { return AuthNTLM }

func (ntlmMechanism) NewContext(_ context.Context, cfg Config, ep Endpoint) (SecurityContext, error) {
	return &ntlmContext{cfg: ntlm.ClientConfig{User: cfg.User, Password: cfg.Password, TargetName: "HTTP/" + ep.Host}}, nil
}

// ntlmContext is the client side of one NTLM authentication.
type ntlmContext struct {
	cfg    ntlm.ClientConfig
	client *ntlm.Client
	done   bool
}

func (*ntlmContext) Scheme() string { return "Negotiate" }

func (c *ntlmContext) Step(in []byte, cs *tls.ConnectionState) ([]byte, bool, error) {
	switch {
	case c.client == nil:
		c.cfg.ChannelBindings = TLSServerEndPoint(cs)
		c.client = ntlm.NewClient(c.cfg)
		return c.client.Negotiate(), false, nil
	case !c.done:
		out, err := c.client.Authenticate(in)
		if err != nil {
			return nil, false, err
		}
		c.done = true
		return out, true, nil
	}
	return nil, true, errors.New("NTLM: token from the host after the AUTHENTICATE message")
}

// sentProof reports whether the AUTHENTICATE message, the proof of the password, was made: a
// refusal after it is a refusal of the credentials.
func (c *ntlmContext) sentProof() bool { return c.done }

func (c *ntlmContext) Sealer() (string, wsmv.Sealer, error) {
	if !c.done {
		return "", nil, errors.New("NTLM: context not complete")
	}
	return wsmv.ProtocolSPNEGO, c.client.Session(), nil
}
