// tlsready PowerShell grammar server (internal/psgrammar). Reads one JSON request per line on
// stdin: {"id":N,"src":"..."}; answers one JSON line per request on stdout:
// {"id":N,"errors":[...],"tokens":[...],"commands":[...],"workarounds":[...]} or {"id":N,"fail":"..."}.
// Positions are 0-based rows and columns. It exits when stdin closes.
'use strict';
const Parser = require('tree-sitter');
const PowerShell = require('tree-sitter-powershell');
const readline = require('readline');

const parser = new Parser();
parser.setLanguage(PowerShell);
const timeoutMicros = Number(process.env.PSGRAMMAR_TIMEOUT_MICROS || 10000000);
parser.setTimeoutMicros(timeoutMicros);

const MAX_ERRORS = 100, MAX_TOKENS = 200000, MAX_COMMANDS = 20000, MAX_TEXT = 120, MAX_ARGS = 16;

function cut(s) { return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s; }

// An empty here-string (@' then a line end then '@) is valid PowerShell that this grammar
// rejects; the ERROR it makes starts at the here-string. Only there is it rewritten, to a
// string of the same length and lines ('' and spaces), and the text parsed again.
const emptyHereString = /^(\s*)@(['"])(\r?\n)\2@/;

function parse(src) {
  const workarounds = [];
  for (let round = 0; ; round++) {
    const tree = parser.parse(src);
    if (tree === null || tree === undefined) throw new Error('parse timed out after ' + timeoutMicros + ' us');
    if (round < 64 && tree.rootNode.hasError) {
      let fixed = false;
      const visit = (n) => {
        if (fixed) return;
        if (n.type === 'ERROR') {
          const text = src.slice(n.startIndex, n.startIndex + 16);
          const m = emptyHereString.exec(text);
          if (m) {
            const at = n.startIndex + m[1].length;
            const q = m[2], nl = m[3];
            src = src.slice(0, at) + q + q + nl + '  ' + src.slice(at + 2 + nl.length + 2);
            workarounds.push({ row: n.startPosition.row, column: n.startPosition.column + m[1].length, what: 'empty here-string' });
            fixed = true;
            return;
          }
        }
        for (const c of n.children) visit(c);
      };
      visit(tree.rootNode);
      if (fixed) continue;
    }
    return collect(tree, src, workarounds);
  }
}

const stringTypes = new Set(['string_literal', 'expandable_string_literal', 'verbatim_string_characters',
  'expandable_here_string_literal', 'verbatim_here_string_characters']);

function collect(tree, src, workarounds) {
  const errors = [], tokens = [], commands = [];
  let truncated = false;
  const walk = (n, inString) => {
    if (n.type === 'sub_expression') inString = false;
    else if (stringTypes.has(n.type)) inString = true;
    if (n.type === 'ERROR' || n.isMissing) {
      if (errors.length < MAX_ERRORS) {
        const e = { kind: n.isMissing ? 'MISSING' : 'ERROR', type: n.type, row: n.startPosition.row,
          column: n.startPosition.column, text: cut(src.slice(n.startIndex, n.endIndex)) };
        // A missing closer belongs to the block or expression its parent opened: report where.
        if (n.isMissing && n.parent) { e.openRow = n.parent.startPosition.row; e.openColumn = n.parent.startPosition.column; }
        errors.push(e);
      } else truncated = true;
    }
    if (n.type === 'command' && commands.length < MAX_COMMANDS) {
      let nm = null;
      const args = [];
      for (const c of n.children) {
        if (c.type === 'command_name' && !nm) {
          nm = c;
        } else if (c.type === 'command_elements') {
          for (const e of c.children) {
            if (e.type === 'command_argument_sep' || args.length >= MAX_ARGS) continue;
            args.push({ t: e.type, s: cut(src.slice(e.startIndex, e.endIndex)) });
          }
        }
      }
      if (nm) {
        commands.push({ name: cut(src.slice(nm.startIndex, nm.endIndex)), row: nm.startPosition.row,
          column: nm.startPosition.column, str: inString, args });
      }
    }
    if (n.childCount === 0 || n.type === 'ERROR') {
      if (tokens.length < MAX_TOKENS) {
        if (!n.isMissing && !(n.parent && n.parent.type === 'command_argument_sep')) {
          tokens.push({ t: n.isNamed ? n.type : 'op', s: cut(src.slice(n.startIndex, n.endIndex)), p: n.parent ? n.parent.type : '',
            row: n.startPosition.row, column: n.startPosition.column, str: inString });
        }
      } else truncated = true;
    }
    for (const c of n.children) walk(c, inString);
  };
  walk(tree.rootNode, false);
  return { errors, tokens, commands, workarounds, truncated };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', (line) => {
  let id = null;
  try {
    const req = JSON.parse(line);
    id = req.id;
    const res = parse(String(req.src));
    res.id = id;
    process.stdout.write(JSON.stringify(res) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ id, fail: String(e && e.message || e) }) + '\n');
  }
});
rl.on('close', () => process.exit(0));
