#!/usr/bin/env bash
# The PowerShell grammar the tests judge every PowerShell text of tlsready with (internal/psgrammar):
# tree-sitter and tree-sitter-powershell for node, at pinned versions, compiled natively by npm.
#
#   scripts/ps-grammar.sh install [DIR]   npm-install the pinned packages into DIR (about 45 s)
#   scripts/ps-grammar.sh check [DIR]     exit 0 when DIR holds them and node loads them
#
# DIR defaults to /tmp/tlsready-psgrammar. Then point the tests at it:
#   export TLSREADY_PS_GRAMMAR=DIR
# (without it, the tests look in the user cache directory, e.g. ~/.cache/tlsready/ps-grammar).
# Needs node and npm (Debian: apt-get install nodejs npm), and a C/C++ compiler for node-gyp.
set -euo pipefail

TREE_SITTER=0.25.0
TREE_SITTER_POWERSHELL=0.25.10

cmd=${1:-install}
dir=${2:-/tmp/tlsready-psgrammar}

check() {
  (cd "$dir" && node -e "const P=require('tree-sitter');const p=new P();p.setLanguage(require('tree-sitter-powershell'));if(p.parse('\$a = 1').rootNode.hasError)process.exit(1)")
}

case "$cmd" in
install)
  command -v node >/dev/null && command -v npm >/dev/null || { echo "ps-grammar: node and npm are needed (apt-get install nodejs npm)" >&2; exit 1; }
  mkdir -p "$dir"
  if [ -f "$dir/package.json" ] && check 2>/dev/null && grep -q "\"tree-sitter-powershell\": \"$TREE_SITTER_POWERSHELL\"" "$dir/package.json"; then
    echo "ps-grammar: $dir is ready"; exit 0
  fi
  cat >"$dir/package.json" <<JSON
{
  "name": "tlsready-ps-grammar",
  "private": true,
  "description": "PowerShell grammar for the tests of tlsready (internal/psgrammar)",
  "dependencies": {
    "tree-sitter": "$TREE_SITTER",
    "tree-sitter-powershell": "$TREE_SITTER_POWERSHELL"
  }
}
JSON
  (cd "$dir" && npm install --no-audit --no-fund --save-exact "tree-sitter@$TREE_SITTER" "tree-sitter-powershell@$TREE_SITTER_POWERSHELL" >"$dir/npm-install.log" 2>&1) || { tail -40 "$dir/npm-install.log" >&2; exit 1; }
  check
  echo "ps-grammar: installed in $dir; export TLSREADY_PS_GRAMMAR=$dir"
  ;;
check)
  check
  ;;
*)
  echo "usage: $0 install|check [DIR]" >&2; exit 2
  ;;
esac
