"""The peer: what an administrator would write instead of tlsready - pywinrm (Debian's
python3-winrm) and a thread pool, running the same collector the same way (the bootstrap
command, the collector on stdin) against the same hosts.

usage: /usr/bin/python3 peer.py TARGETS CONCURRENCY USER COMMAND_FILE SCRIPT_FILE < password
TARGETS has "NAME URL" lines. Prints one line: "ok N failed M".
"""
import base64
import sys
from concurrent.futures import ThreadPoolExecutor

import xmltodict
from winrm.protocol import Protocol

CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
SEND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"


def send_stdin(p, shell, command, data):
    # pywinrm 0.3.0 has no call for a command's stdin: build the Send as its run_command does.
    req = {"env:Envelope": p._get_soap_header(resource_uri=CMD_URI, action=SEND, shell_id=shell)}
    req["env:Envelope"].setdefault("env:Body", {})["rsp:Send"] = {
        "rsp:Stream": {"@Name": "stdin", "@CommandId": command, "@End": "true",
                       "#text": base64.b64encode(data).decode()}}
    p.send_message(xmltodict.unparse(req))


def scan(url, user, password, command, script):
    p = Protocol(endpoint=url, transport="ntlm", username=user, password=password,
                 message_encryption="auto", operation_timeout_sec=20, read_timeout_sec=30)
    shell = p.open_shell()
    try:
        cmd = p.run_command(shell, command, console_mode_stdin=False)
        send_stdin(p, shell, cmd, script)
        out, err, code = p.get_command_output(shell, cmd)
        p.cleanup_command(shell, cmd)
    finally:
        p.close_shell(shell)
    return code == 0 and out.startswith(b"tlsready-facts")


def main():
    targets, conc, user, command_file, script_file = sys.argv[1:6]
    password = sys.stdin.readline().rstrip("\n")
    command = open(command_file).read()
    script = open(script_file, "rb").read()
    urls = [l.split()[1] for l in open(targets) if l.strip()]
    ok = failed = 0
    with ThreadPoolExecutor(max_workers=int(conc)) as pool:
        futures = [pool.submit(scan, u, user, password, command, script) for u in urls]
        for f in futures:
            try:
                if f.result():
                    ok += 1
                else:
                    failed += 1
            except Exception as e:  # a host the peer could not scan
                failed += 1
                if failed <= 3:
                    print("error:", e, file=sys.stderr)
    print("ok %d failed %d" % (ok, failed))


if __name__ == "__main__":
    main()
