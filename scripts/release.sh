#!/usr/bin/env bash
# Builds release archives of the CLI for the six targets into dist/:
#   tlsready-VERSION-linux-amd64.tar.gz ... tlsready-VERSION-windows-arm64.zip (tlsready.exe inside)
# and dist/SHA256SUMS over them. Usage: scripts/release.sh [VERSION]   (default: dev)
#
# When osslsigncode is installed, the Windows .exe files are Authenticode-signed with a
# THROW-AWAY self-signed test certificate made here in a temporary directory, and the signature
# is verified. That only demonstrates the signing step of the pipeline: such a signature proves
# nothing to Windows or to anyone. Real releases are signed with the project's code-signing
# certificate, whose key is never in this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
VERSION="${1:-dev}"
case "$VERSION" in *[!A-Za-z0-9._+-]*|"") echo "release.sh: bad version '$VERSION'" >&2; exit 3;; esac

DIST=dist
# -buildvcs=auto: the source revision goes into the binary (tlsready version) even where
# GOFLAGS says -buildvcs=false; outside a git checkout it is simply left out.
rm -rf "$DIST"
mkdir -p "$DIST"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

CERT="" KEY=""
if command -v osslsigncode >/dev/null && command -v openssl >/dev/null; then
  CERT="$WORK/test-signing.crt" KEY="$WORK/test-signing.key"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=tlsready TEST signing (not trusted)" \
    -addext "extendedKeyUsage=codeSigning" -keyout "$KEY" -out "$CERT" >/dev/null 2>&1
fi

zipdir() { # zipdir ARCHIVE DIR: the files of DIR at the archive's root
  if command -v zip >/dev/null; then
    (cd "$2" && zip -q -X "$OLDPWD/$1" ./*)
  else
    go run ./scripts/lib/zipdir "$1" "$2"
  fi
}

for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  os=${target%/*} arch=${target#*/}
  name="tlsready-$VERSION-$os-$arch"
  stage="$WORK/$name"
  mkdir -p "$stage"
  exe=tlsready
  [ "$os" = windows ] && exe=tlsready.exe
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=auto -ldflags "-s -w -X main.version=$VERSION" \
    -o "$stage/$exe" ./cmd/tlsready
  cp README.md "$stage/"
  [ -f LICENSE ] && cp LICENSE "$stage/"
  if [ "$os" = windows ]; then
    if [ -n "$CERT" ]; then
      osslsigncode sign -certs "$CERT" -key "$KEY" -n "tlsready $VERSION (test signature)" \
        -h sha256 -in "$stage/$exe" -out "$stage/$exe.signed" >/dev/null
      mv "$stage/$exe.signed" "$stage/$exe"
      # The self-signed certificate is its own CA for the check.
      osslsigncode verify -CAfile "$CERT" -in "$stage/$exe" >"$WORK/verify.log" 2>&1 ||
        { cat "$WORK/verify.log"; echo "release.sh: signature of $name/$exe does not verify" >&2; exit 1; }
      echo "signed and verified $name/$exe (throw-away test certificate)"
    fi
    zipdir "$DIST/$name.zip" "$stage"
  else
    tar -C "$WORK" --owner=0 --group=0 --numeric-owner -czf "$DIST/$name.tar.gz" "$name"
  fi
done

(cd "$DIST" && sha256sum -- *.tar.gz *.zip >SHA256SUMS)
cat "$DIST/SHA256SUMS"
