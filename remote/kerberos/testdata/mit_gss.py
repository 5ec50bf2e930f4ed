#!/usr/bin/python3
"""MIT Kerberos (libgssapi_krb5, through python3-gssapi) as the peer of remote/kerberos.

The Go test TestMIT_* drives this over a line protocol on stdin/stdout (base64 fields):

  initiator mode (MIT client, Go host):   argv: initiator SPN MECH   (MECH: krb5 | spnego)
      -> TOKEN <first token>             <- TOKEN <host's answer>       -> DONE
  acceptor mode (Go client, MIT host):    argv: acceptor             (KRB5_KTNAME = the keytab)
      <- TOKEN <client's token>          -> TOKEN <answer> ; DONE <client principal>
  then, in both modes, any number of:
      <- WRAP <plain>                    -> WRAPPED <header> <data>    (MIT wraps)
      <- UNWRAP <header> <data>          -> PLAIN <plain>              (MIT unwraps)
      <- WRAPRAW <plain>                 -> WRAPPED <token> <>         (gss_wrap, RRC 0)
      <- QUIT

WRAP seals as pyspnego's wrap_winrm does for pywinrm (gss_wrap_iov with HEADER, DATA and
PADDING buffers; the MS-WSMV signature is the HEADER buffer, the sealed data DATA + PADDING);
UNWRAP as its unwrap_winrm does for Kerberos (gss_unwrap of header + data). Errors end the
process with a message on stderr.
"""
import base64
import sys

import gssapi
import gssapi.raw as gr

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
FLAGS = (gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.replay_detection
         | gssapi.RequirementFlag.out_of_sequence_detection | gssapi.RequirementFlag.confidentiality
         | gssapi.RequirementFlag.integrity)


def b64(b):
    return base64.b64encode(b or b"").decode()


def unb64(s):
    return base64.b64decode(s) if s else b""


def send(*fields):
    print(" ".join(fields), flush=True)


def recv():
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    return line.split()


def expect(word):
    f = recv()
    if not f or f[0] != word:
        sys.exit("mit_gss: expected %s, got %r" % (word, f[:1]))
    return f[1:]


def main():
    mode = sys.argv[1]
    if mode == "initiator":
        spn, mech = sys.argv[2], sys.argv[3]
        name = gssapi.Name(spn, gssapi.NameType.kerberos_principal)
        ctx = gssapi.SecurityContext(name=name, mech=KRB5 if mech == "krb5" else SPNEGO, flags=FLAGS, usage="initiate")
        send("TOKEN", b64(ctx.step()))
        (answer,) = expect("TOKEN")
        ctx.step(unb64(answer))
        if not ctx.complete:
            sys.exit("mit_gss: context not complete after the host's answer")
        send("DONE")
    else:
        ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
        (tok,) = expect("TOKEN")
        out = ctx.step(unb64(tok))
        if not ctx.complete:
            sys.exit("mit_gss: context not complete after the client's token")
        send("TOKEN", b64(out))
        send("DONE", str(ctx.initiator_name))
    while True:
        f = recv()
        if f[0] == "QUIT":
            return
        if f[0] == "WRAP":
            iov = gr.IOV(gr.IOVBufferType.header, unb64(f[1] if len(f) > 1 else ""), gr.IOVBufferType.padding,
                         std_layout=False)
            gr.wrap_iov(ctx, iov, confidential=True)
            send("WRAPPED", b64(iov[0].value), b64((iov[1].value or b"") + (iov[2].value or b"")))
        elif f[0] == "WRAPRAW":
            res = gr.wrap(ctx, unb64(f[1] if len(f) > 1 else ""), confidential=True)
            send("WRAPPED", b64(res.message), "")
        elif f[0] == "UNWRAP":
            res = gr.unwrap(ctx, unb64(f[1]) + unb64(f[2] if len(f) > 2 else ""))
            if not res.encrypted:
                sys.exit("mit_gss: message was not encrypted")
            send("PLAIN", b64(res.message))
        else:
            sys.exit("mit_gss: unknown command %r" % f[0])


if __name__ == "__main__":
    main()
