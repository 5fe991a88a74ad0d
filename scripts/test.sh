#!/usr/bin/env bash
# Builds halter and runs its tests.
#   scripts/test.sh              build/ : every ctest test
#   scripts/test.sh --sanitize   build-asan/ with ASan+UBSan: unit and spec tests
# With CI=true, warnings are errors.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

bash scripts/deps.sh
bash scripts/fetch_guests.sh

cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${CI:-}" = "true" ]; then
  cmake_args+=(-DHALTER_WERROR=ON -DHALTER_REQUIRE_SPEC=ON)
fi
if [ $sanitize -eq 1 ]; then
  build=build-asan
  cmake_args+=(-DHALTER_SANITIZE=ON)
else
  build=build
fi

cmake -S . -B "$build" "${cmake_args[@]}"
cmake --build "$build" -j"$(nproc)"

cd "$build"
if [ $sanitize -eq 1 ]; then
  ctest --output-on-failure -R '^(unit_.*|spec.*)$'
else
  ctest --output-on-failure
fi
