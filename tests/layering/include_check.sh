#!/usr/bin/env bash
# Every #include "<layer>/..." in src/ names the file's own layer or one its
# row of HALTER_LAYER_TABLE (CMakeLists.txt) reaches, directly or through
# the rows below. src/api/ is private to the api layer: above it only the
# public headers (include/halter/) may be included.
# usage: include_check.sh SRC_DIR "layer dep dep..." ...
set -euo pipefail
src=$1
shift
declare -A deps
layers=()
for row in "$@"; do
  read -r layer rest <<<"$row"
  layers+=("$layer")
  deps[$layer]="${rest:-}"
done

# The layers `layer` may include: itself and the closure of its row; the
# closure stops at api, whose layers below are as private as src/api/.
reach() {
  local seen=" $1 " todo=(${deps[$1]}) d
  while ((${#todo[@]})); do
    d=${todo[0]}
    todo=("${todo[@]:1}")
    [[ $seen == *" $d "* ]] && continue
    seen+="$d "
    [[ $d == api ]] || todo+=(${deps[$d]})
  done
  echo "$seen"
}

bad=0
checked=0
for layer in "${layers[@]}"; do
  allowed=$(reach "$layer")
  [[ -d $src/$layer ]] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"${rest#*:}")
    checked=$((checked + 1))
    if [[ $target == api && $layer != api ]] || [[ $allowed != *" $target "* ]]; then
      echo "layering: ${file#$src/}:$line: layer '$layer' includes $target/ (its row allows:$allowed)"
      bad=$((bad + 1))
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$src/$layer" --include='*.h' --include='*.cpp' --include='*.inc' |
    grep -v '#include "halter/' || true)
done
for dir in "$src"/*/; do
  name=$(basename "$dir")
  if [[ -z ${deps[$name]+x} ]]; then
    echo "layering: src/$name/ is not a row of HALTER_LAYER_TABLE"
    bad=$((bad + 1))
  fi
done
echo "$checked includes checked, $bad outside their layer's row"
((bad == 0))
