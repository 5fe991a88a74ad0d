#!/usr/bin/env bash
# The public headers are sealed (DESIGN §2): they name no engine type (the
# halter::rt, exec, compile, ir, valid, binary or wasi namespaces) and no
# class has a public data member. Structs are plain value aggregates
# (options, descriptions, outcomes) and may; their fields are named without
# the trailing underscore of private state, which is checked too.
# Usage: sealed_test.sh INCLUDE_DIR
set -u
dir=${1:?include directory}
failed=0
passed=0

check() { # name, then the offending lines (empty: pass)
  if [[ -n "$2" ]]; then
    echo "FAIL: $1"
    echo "$2" | sed 's/^/  /'
    failed=$((failed + 1))
  else
    echo "ok: $1"
    passed=$((passed + 1))
  fi
}

headers=$(find "$dir" -name '*.h' | sort)
[[ -n "$headers" ]] || { echo "no headers under $dir"; exit 1; }

# Internal namespaces, in code (comments stripped).
internal=$(for h in $headers; do
  sed -e 's://.*$::' "$h" | grep -nE '\b(rt|exec|compile|ir|valid|binary|wasi)::|namespace +(rt|exec|compile|ir|valid|binary|wasi)\b' |
    sed "s|^|$h:|"
done)
check "no engine namespace in the public headers" "$internal"

# Data members in the public part of a class, and members named like
# private state (name_) in the public part of a struct. A small scanner:
# it tracks class/struct bodies by braces and the access section.
public_data=$(for h in $headers; do
  awk -v file="$h" '
    function strip(s) { sub(/\/\/.*$/, "", s); return s }
    {
      line = strip($0)
      # A class or struct head opens a body at this line'"'"'s brace.
      if (match(line, /^[ \t]*(class|struct)[ \t]+[A-Za-z_][A-Za-z0-9_]*[^;]*\{/)) {
        kind = (line ~ /^[ \t]*class/) ? "class" : "struct"
        depth++
        body_kind[depth] = kind
        access[depth] = (kind == "class") ? "private" : "public"
        opens = gsub(/\{/, "{", line) - 1
        closes = gsub(/\}/, "}", line)
        fn_depth[depth] = 0
        if (opens - closes != 0) fn_depth[depth] += opens - closes
        next
      }
      if (depth == 0) next
      if (line ~ /^[ \t]*public:/) { access[depth] = "public"; next }
      if (line ~ /^[ \t]*(private|protected):/) { access[depth] = "private"; next }
      opens = gsub(/\{/, "{", line)
      closes = gsub(/\}/, "}", line)
      at_member_level = (fn_depth[depth] == 0)
      fn_depth[depth] += opens - closes
      if (fn_depth[depth] < 0) { depth--; next }
      if (!at_member_level || access[depth] != "public") { stmt = ""; next }
      # Whole declarations only: join lines up to the ; that ends one.
      stmt = stmt " " line
      if (opens != closes) { stmt = ""; next } # a body opens or closes here
      if (line !~ /;[ \t]*$/) next
      decl = stmt; stmt = ""
      # A data member: not a type, alias, friend, static, operator or
      # function (a parenthesis before any initialiser).
      if (decl ~ /^[ \t]*(using|typedef|friend|static|enum|struct|class|template|namespace)([ \t]|$)/) next
      if (decl ~ /operator/) next
      head = decl; sub(/=.*/, "", head); sub(/\{.*/, "", head)
      if (head ~ /\(/) next
      if (head !~ /[A-Za-z_][A-Za-z0-9_]*[ \t]*(\[[^]]*\])?[ \t]*;?[ \t]*$/) next
      if (body_kind[depth] == "class" || head ~ /_[ \t]*(\[[^]]*\])?[ \t]*;?[ \t]*$/)
        printf "%s:%d: %s\n", file, NR, $0
    }' "$h"
done)
check "no public data member in a class, no name_ member public in a struct" "$public_data"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
