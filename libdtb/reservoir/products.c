/* libdtb — C = A B' for the readouts (dense.h): every entry the dot
 * product of a row of A and a row of B, both contiguous.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The readout's products (the Gram matrices of the states, their products
 * with the eigenvectors, the residuals of the refinement, the predictions)
 * are all of this form once the operands are laid out by rows. Blocks of
 * 4 rows of A x 3 rows of B keep twelve vector accumulators in registers,
 * so each load of A serves three rows of B and each load of B four of A
 * (4 x 2 measured 10 % slower). The sum over k goes in chunks of KC, and
 * the rows of B in panels of NB: the chunk of the 4 rows of A stays in L1
 * while the NB rows of B pass, their chunk (196 KB) in L2 (KC = 128 and 64
 * measured slower: more passes over C). A whole chunk of a long B (the
 * 2660 training rows) would not fit, and would come from memory once per
 * 4 rows of A. Inside a chunk, lane l of an
 * accumulator sums the terms k = l mod 4, combined as (l0 + l2) + (l1 + l3)
 * and added to C: a fixed order, the same bits on every run and CPU. */
#include <string.h>

#include "base/clones.h"
#include "dense.h"

enum { KC = 256, NB = 96 };

#if defined(__GNUC__)
/* Helpers are inlined into the caller's AVX2 clone, whatever their size. */
#define INLINE static inline __attribute__((always_inline))
typedef double v4d __attribute__((vector_size(32), aligned(8)));

/* Vectors go through memory and pointers, never by value across a
 * function boundary (their calling convention differs between the clones). */
INLINE void load4(v4d *v, const double *p) { memcpy(v, p, sizeof *v); }

INLINE double hsum(const v4d *v)
{
    double s[4];
    memcpy(s, v, sizeof s);
    return (s[0] + s[2]) + (s[1] + s[3]);
}

/* An accumulator's sum plus the terms k .. k1 - 1 left after the vectors. */
INLINE double finish(const v4d *acc, const double *a, const double *b, size_t k, size_t k1)
{
    double s = hsum(acc);
    for (; k < k1; k++)
        s += a[k] * b[k];
    return s;
}

/* out[r][c] = sum over k0 <= k < k1 of a[r * lda + k] b[c * ldb + k]. The
 * twelve accumulators are named variables: as an array gcc keeps them in
 * memory. */
INLINE void block43(const double *restrict a, size_t lda, const double *restrict b, size_t ldb,
                    size_t k0, size_t k1, double out[4][3])
{
    const double *restrict a0 = a, *restrict a1 = a + lda, *restrict a2 = a + 2 * lda,
                 *restrict a3 = a + 3 * lda, *restrict b1 = b + ldb, *restrict b2 = b + 2 * ldb;
    v4d s00 = {0}, s01 = {0}, s02 = {0}, s10 = {0}, s11 = {0}, s12 = {0};
    v4d s20 = {0}, s21 = {0}, s22 = {0}, s30 = {0}, s31 = {0}, s32 = {0};
    size_t k = k0;
    for (; k + 4 <= k1; k += 4) {
        v4d x0, x1, x2, x;
        load4(&x0, b + k);
        load4(&x1, b1 + k);
        load4(&x2, b2 + k);
        load4(&x, a0 + k);
        s00 += x * x0;
        s01 += x * x1;
        s02 += x * x2;
        load4(&x, a1 + k);
        s10 += x * x0;
        s11 += x * x1;
        s12 += x * x2;
        load4(&x, a2 + k);
        s20 += x * x0;
        s21 += x * x1;
        s22 += x * x2;
        load4(&x, a3 + k);
        s30 += x * x0;
        s31 += x * x1;
        s32 += x * x2;
    }
    out[0][0] = finish(&s00, a0, b, k, k1);
    out[0][1] = finish(&s01, a0, b1, k, k1);
    out[0][2] = finish(&s02, a0, b2, k, k1);
    out[1][0] = finish(&s10, a1, b, k, k1);
    out[1][1] = finish(&s11, a1, b1, k, k1);
    out[1][2] = finish(&s12, a1, b2, k, k1);
    out[2][0] = finish(&s20, a2, b, k, k1);
    out[2][1] = finish(&s21, a2, b1, k, k1);
    out[2][2] = finish(&s22, a2, b2, k, k1);
    out[3][0] = finish(&s30, a3, b, k, k1);
    out[3][1] = finish(&s31, a3, b1, k, k1);
    out[3][2] = finish(&s32, a3, b2, k, k1);
}

INLINE double dot1(const double *restrict a, const double *restrict b, size_t k0, size_t k1)
{
    v4d acc = {0};
    size_t k = k0;
    for (; k + 4 <= k1; k += 4) {
        v4d x, y;
        load4(&x, a + k);
        load4(&y, b + k);
        acc += x * y;
    }
    double s = hsum(&acc);
    for (; k < k1; k++)
        s += a[k] * b[k];
    return s;
}
#else
#define INLINE static inline
INLINE void block43(const double *a, size_t lda, const double *b, size_t ldb, size_t k0,
                    size_t k1, double out[4][3])
{
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (size_t k = k0; k < k1; k++)
                s += a[(size_t)r * lda + k] * b[(size_t)c * ldb + k];
            out[r][c] = s;
        }
}

INLINE double dot1(const double *a, const double *b, size_t k0, size_t k1)
{
    double s = 0;
    for (size_t k = k0; k < k1; k++)
        s += a[k] * b[k];
    return s;
}
#endif

static inline void put(double *c, double v, int add) { *c = add ? *c + v : v; }

DTB__CLONES
void dtb__dense_abt(size_t ni, size_t nj, size_t nk, const double *A, size_t lda, const double *B,
                    size_t ldb, double *C, size_t ldc, int add, int upper)
{
    const size_t ni4 = ni - ni % 4;
    size_t k0 = 0;
    do {   /* once even for nk == 0, which sets C to 0 unless add */
        const size_t k1 = nk - k0 > KC ? k0 + KC : nk;
        const int chunk_add = add || k0 > 0;
        for (size_t jb = 0; jb < nj; jb += NB) {
            const size_t je = nj - jb > NB ? jb + NB : nj;
            for (size_t i = 0; i < ni4; i += 4) {
                const double *a = A + i * lda;
                size_t j = upper && i > jb ? i : jb;
                for (; j + 3 <= je; j += 3) {
                    double out[4][3];
                    block43(a, lda, B + j * ldb, ldb, k0, k1, out);
                    for (size_t r = 0; r < 4; r++)
                        for (size_t c = 0; c < 3; c++)
                            put(&C[(i + r) * ldc + j + c], out[r][c], chunk_add);
                }
                for (; j < je; j++)
                    for (size_t r = 0; r < 4; r++)
                        put(&C[(i + r) * ldc + j], dot1(a + r * lda, B + j * ldb, k0, k1),
                            chunk_add);
            }
            for (size_t i = ni4; i < ni; i++)
                for (size_t j = upper && i > jb ? i : jb; j < je; j++)
                    put(&C[i * ldc + j], dot1(A + i * lda, B + j * ldb, k0, k1), chunk_add);
        }
        k0 = k1;
    } while (k0 < nk);
}

void dtb__dense_transpose(size_t rows, size_t cols, const double *A, size_t lda, double *B,
                          size_t ldb)
{
    enum { T = 16 };   /* tiles: both sides touch whole cache lines */
    for (size_t i0 = 0; i0 < rows; i0 += T)
        for (size_t j0 = 0; j0 < cols; j0 += T)
            for (size_t i = i0; i < rows && i < i0 + T; i++)
                for (size_t j = j0; j < cols && j < j0 + T; j++)
                    B[j * ldb + i] = A[i * lda + j];
}
