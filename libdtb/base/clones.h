/* libdtb — functions compiled twice, for AVX2 and for the baseline x86-64,
 * one of the two picked when the library is loaded (gcc target_clones).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both copies do the same arithmetic in the same order (no fused
 * multiply-adds: -ffp-contract=off; libdtb's own exp), so a simulation gives
 * the same bits on any x86-64 CPU. tests/avx2 holds that promise: it builds
 * the cloned files a second time with DTB_NO_TARGET_CLONES defined (the
 * baseline copy alone) and compares simulations run through both.
 *
 * Not under ThreadSanitizer: the load-time resolver of target_clones runs
 * before the TSan runtime is initialised and crashes (gcc 12). Not with
 * clang, whose target_clones differs. */
#ifndef DTB_BASE_CLONES_H
#define DTB_BASE_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
    && !defined(__SANITIZE_THREAD__) && !defined(DTB_NO_TARGET_CLONES)
#  define DTB__HAVE_CLONES 1
#  define DTB__CLONES __attribute__((target_clones("avx2", "default")))
#  define DTB__CLONES_AVX512 __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#  define DTB__HAVE_CLONES 0
#  define DTB__CLONES
#  define DTB__CLONES_AVX512
#endif

#endif
