#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages. scripts/man.sh OUTDIR renders every
# Documentation/man/NAME.N.rst with rst2man, warnings fatal, into
# OUTDIR/manN/NAME.N, and every name a source lists on its
# ".. aliases: NAME..." line as a one-line ".so manN/NAME.N" stub
# OUTDIR/manN/ALIAS.N; the NAME line of the page lists its aliases too.
# An output whose content is unchanged is left alone, and the outputs of
# an earlier run that no source makes any more are removed (only ours:
# pages marked as made here, and stubs pointing at them).
#
# scripts/man.sh --check OUTDIR renders as above, then checks that every
# page formats through groff -man -ww without a warning and within 78
# columns, that every function <zvmo/zvmo.h> declares is a page or an
# alias whose synopsis has the prototype as the header has it, that every
# zvmo page a page refers to as NAME(N) exists, and that zvmo(3) refers
# to every page. Prints one summary line; exits non-zero on any problem.
#
# Needs python3-docutils (rst2man) and groff (groff-base is enough).
set -euo pipefail

usage() {
	echo "usage: scripts/man.sh [--check] OUTDIR" >&2
	exit 2
}

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
if [ $# != 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
	usage
fi

top=$(cd "$(dirname "$0")/.." && pwd)
srcdir=$top/Documentation/man
header=$top/userlib/include/zvmo/zvmo.h
mkdir -p "$1"
out=$(cd "$1" && pwd)
marker='.\" Made by scripts/man.sh from Documentation/man: edit the source.'

command -v rst2man >/dev/null ||
	{ echo "man.sh: rst2man is missing: install python3-docutils" >&2; exit 1; }
if [ "$check" = 1 ]; then
	command -v groff >/dev/null ||
		{ echo "man.sh: groff is missing: install groff-base" >&2; exit 1; }
fi

problems=0
problem() {
	echo "man.sh: $*" >&2
	problems=$((problems + 1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Put $2 at $1 unless $1 already holds exactly that.
install_file() {
	mkdir -p "$(dirname "$1")"
	if cmp -s "$2" "$1"; then
		rm -f "$2"
	else
		chmod 644 "$2"
		mv -f "$2" "$1"
	fi
}

declare -A made=()	# manN/NAME.N -> the source that makes it
pages=()		# manN/NAME.N of every page
aliases=()		# manN/ALIAS.N of every stub

shopt -s nullglob
for src in "$srcdir"/*.rst; do
	base=$(basename "$src" .rst)
	if ! [[ $base =~ ^([A-Za-z0-9_][A-Za-z0-9_.-]*)\.([1-9])$ ]]; then
		problem "$src: not named NAME.N.rst"
		continue
	fi
	name=${BASH_REMATCH[1]} sec=${BASH_REMATCH[2]}
	page=man$sec/$name.$sec
	if [ -n "${made[$page]:-}" ]; then
		problem "$src: $page is made by ${made[$page]} already"
		continue
	fi
	made[$page]=$src
	pages+=("$page")

	names=$name
	read -r -a list < <(sed -n 's/^\.\. aliases:[[:space:]]*//p' "$src" |
			     tr '\n' ' ') || true
	for a in "${list[@]}"; do
		if ! [[ $a =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
			problem "$src: bad alias '$a'"
			continue
		fi
		if [ -n "${made[man$sec/$a.$sec]:-}" ]; then
			problem "$src: alias $a is made by ${made[man$sec/$a.$sec]} already"
			continue
		fi
		made[man$sec/$a.$sec]=$src
		aliases+=("man$sec/$a.$sec")
		names+=", $a"
		echo ".so $page" >"$tmp/stub"
		install_file "$out/man$sec/$a.$sec" "$tmp/stub"
	done

	if ! rst2man --halt=warning --exit-status=warning --report=warning \
		"$src" "$tmp/page" 2>"$tmp/err"; then
		cat "$tmp/err" >&2
		problem "$src: rst2man failed"
		rm -f "$out/$page"
		continue
	fi
	# The marker after the first line, which may name preprocessors;
	# all the names on the NAME line, for whatis and apropos; and, as
	# DocBook's pages do, neither hyphenation nor justification, which
	# cut and space out the long identifiers.
	MARKER=$marker NAME=$name NAMES=$names awk '
		NR == 2 { print ENVIRON["MARKER"] }
		fix && (i = index($0, " \\- ")) {
			head = substr($0, 1, i - 1)
			gsub(/\\-/, "-", head)
			if (head == ENVIRON["NAME"])
				$0 = ENVIRON["NAMES"] substr($0, i)
		}
		{ fix = $0 == ".SH NAME"; print }
		/^\.TH / { print ".nh"; print ".ad l" }' "$tmp/page" >"$tmp/fixed"
	install_file "$out/$page" "$tmp/fixed"
done

# Outputs of ours that no source makes any more: marked pages, and stubs
# pointing at a page of ours (made now, or removed here).
declare -A ours=()
for p in "${pages[@]}"; do
	ours[$p]=1
done
for f in "$out"/man[1-9]/*; do
	rel=${f#"$out"/}
	if [ -n "${made[$rel]:-}" ] || ! grep -qsxF "$marker" "$f"; then
		continue
	fi
	ours[$rel]=1
	rm -f "$f"
done
for f in "$out"/man[1-9]/*; do
	rel=${f#"$out"/}
	if [ -n "${made[$rel]:-}" ] || [ ! -f "$f" ] ||
	   [ "$(wc -l <"$f")" != 1 ]; then
		continue
	fi
	target=$(sed -n 's/^\.so \(man[1-9]\/[^/]*\)$/\1/p' "$f")
	[ -n "$target" ] && [ -n "${ours[$target]:-}" ] && rm -f "$f"
done
rmdir "$out"/man[1-9] 2>/dev/null || true

if [ "$check" = 0 ]; then
	[ "$problems" = 0 ] || exit 1
	exit 0
fi

# Every output formats without a warning (a stub finds its page), and
# every page fits 80 columns as man-db formats it there (a line length
# of 78).
for f in "${pages[@]}" "${aliases[@]}"; do
	[ -e "$out/$f" ] || continue
	msgs=$(cd "$out" && groff -k -t -man -ww -z -Tutf8 "$f" 2>&1) || true
	[ -z "$msgs" ] || problem "$f: groff: $msgs"
done
for f in "${pages[@]}"; do
	[ -e "$out/$f" ] || continue
	wide=$(cd "$out" &&
	       groff -k -t -man -Tascii -rLL=78n -rLT=78n -P-cbou "$f" |
	       awk 'length > 78 { print "    " $0 }')
	[ -z "$wide" ] || problem "$f: lines wider than 78 columns:"$'\n'"$wide"
done

# The rest in Python, which prints how many functions zvmo.h declares and
# exits with the number of problems it found.
rc=0
nfunc=$(python3 - "$header" "$out" "$srcdir" "${#pages[@]}" "${pages[@]}" \
	"${aliases[@]}" <<'PY'
import os
import re
import sys

header, out, srcdir, npages = sys.argv[1:5]
pages = sys.argv[5:5 + int(npages)]
aliases = sys.argv[5 + int(npages):]
problems = 0


def problem(msg):
    global problems
    print('man.sh: ' + msg, file=sys.stderr)
    problems += 1


def squash(text):
    return ' '.join(text.split()).replace('( ', '(').replace(' )', ')')


# The prototypes of <zvmo/zvmo.h>: comments and preprocessor lines out,
# then every declaration "type name(params);".
try:
    text = open(header).read()
except OSError as e:
    problem('%s: %s' % (header, e.strerror))
    text = ''
text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
text = re.sub(r'//[^\n]*', ' ', text)
text = re.sub(r'^[ \t]*#[^\n]*(\\\n[^\n]*)*', ' ', text, flags=re.M)
text = re.sub(r'extern\s+"C"\s*{', ' ', text)
protos = {}
for decl in text.split(';'):
    decl = re.split(r'[{}]', decl)[-1]
    m = re.fullmatch(r'\s*([A-Za-z_][\w\s*]*?)\b([A-Za-z_]\w*)\s*\((.*)\)\s*',
                     decl, flags=re.S)
    if m and not re.search(r'\b(typedef|struct\s+\w+\s*$)', m.group(1)):
        protos[m.group(2)] = squash(decl) + ';'
if not protos:
    problem(header + ': no function declarations found')

# What each page and alias is, and which source documents it.
names = {}
for p in pages:
    base = p.split('/')[1]
    names[base] = os.path.join(srcdir, base + '.rst')
for a in aliases:
    base = a.split('/')[1]
    page = open(os.path.join(out, a)).read().split()[-1]
    names[base] = os.path.join(srcdir, page.split('/')[1] + '.rst')


def synopsis(src):
    body = open(src).read()
    m = re.search(r'^SYNOPSIS\n=+\n(.*?)(?=^\S[^\n]*\n[=-]+\n|\Z)', body,
                  flags=re.S | re.M)
    return squash(m.group(1)) if m else ''


for fn, proto in sorted(protos.items()):
    src = names.get(fn + '.3')
    if not src:
        problem('%s() of zvmo.h has no page or alias' % fn)
    elif proto not in synopsis(src):
        problem('%s: the synopsis lacks "%s"' % (os.path.basename(src),
                                                proto))
for base in sorted(names):
    name, sec = base.rsplit('.', 1)
    if sec == '3' and name.startswith('zvmo_') and name not in protos:
        problem('%s(3) is documented but zvmo.h declares no %s()'
                % (name, name))

# References NAME(N) to zvmo pages must resolve; zvmo(3) names them all.
ref = re.compile(r'\\fB((?:[^\\]|\\-|\\&)+)\\fP\\?&?\(([1-9])\)')
for p in pages:
    if not os.path.exists(os.path.join(out, p)):
        continue
    roff = open(os.path.join(out, p)).read()
    if '\n.SH SEE ALSO\n' not in roff:
        problem(p + ': no SEE ALSO section')
    seen = set()
    for m in ref.finditer(roff):
        name = m.group(1).replace('\\-', '-').replace('\\&', '')
        target = 'man%s/%s.%s' % (m.group(2), name, m.group(2))
        if target in seen:
            continue
        seen.add(target)
        if name.startswith('zvmo') and \
           not os.path.exists(os.path.join(out, target)):
            problem('%s refers to %s(%s), which does not exist'
                    % (p, name, m.group(2)))
    if p == 'man3/zvmo.3':
        for q in pages:
            if q != p and q not in seen:
                problem('zvmo(3) does not refer to %s' % q.split('/')[1])
print(len(protos))
sys.exit(min(problems, 100))
PY
) || rc=$?
problems=$((problems + rc))

if [ "$problems" = 0 ]; then
	echo "man: ${#pages[@]} pages, ${#aliases[@]} aliases," \
		"$nfunc functions of zvmo.h: clean"
else
	echo "man: $problems problems in ${#pages[@]} pages, ${#aliases[@]} aliases"
	exit 1
fi
