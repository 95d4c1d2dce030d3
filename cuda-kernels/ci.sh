#!/usr/bin/env bash
# cuda-kernels in CI (called by .ci/run before the Maven suite, which loads the library for
# `recover --device cpu-native`): build the C reference and run its tests (every kernel by finite
# differences, the engine's goldens); the CUDA backend is compiled by nvcc for sm_80 and sm_90 when
# nvcc is present, and its test skips, saying so, without a GPU. Skips loudly when gcc or cmake is absent.
# Builds into cuda-kernels/build (incremental: seconds after the first run, ~30 s for nvcc once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v gcc >/dev/null; then
  echo "SKIP cuda-kernels: gcc is not on PATH; the C reference and its tests did not run" >&2
  exit 0
fi
if command -v cmake >/dev/null && command -v ctest >/dev/null; then
  if command -v nvcc >/dev/null; then cuda=AUTO; else
    cuda=OFF; echo "note: nvcc is not on PATH; the CUDA backend is not compiled" >&2
  fi
  [ -n "${JAVA_HOME:-}" ] || JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java || echo /nonexistent/bin/java)")")")"
  export JAVA_HOME
  cmake -S . -B build -DPK_CUDA="$cuda" -DCMAKE_BUILD_TYPE=Release >build.log 2>&1 \
    || { cat build.log >&2; echo "cuda-kernels: cmake configure failed" >&2; exit 1; }
  cmake --build build -j2 >>build.log 2>&1 || { tail -40 build.log >&2; echo "cuda-kernels: build failed" >&2; exit 1; }
  ctest --test-dir build --output-on-failure
else
  echo "SKIP (partial) cuda-kernels: cmake/ctest not on PATH; building and running the C reference test with gcc alone" >&2
  mkdir -p build
  gcc -O2 -std=c11 -Iinclude -Itest src/cpu_backend.c src/model.c src/cuda_absent.c test/harness.c test/golden.c \
      test/test_cpu.c -lm -o build/test_cpu
  build/test_cpu golden
fi
