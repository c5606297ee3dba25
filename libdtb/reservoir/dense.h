/* libdtb internal — the dense linear algebra of the readouts: products of
 * row-major matrices and the symmetric eigendecomposition.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   products.c  C = A B' (rows times rows), blocked for the cache, AVX2
 *               when the CPU has it, in a fixed summation order
 *   symm_eigen.c  A = V D V' for a symmetric A: Householder reduction to a
 *               tridiagonal matrix, implicit QL, eigenvectors as rows
 *
 * Both do a separate multiply and add (never a fused one, as everywhere in
 * libdtb), so the same inputs give the same bits on every x86-64 CPU. */
#ifndef DTB_RESERVOIR_DENSE_H
#define DTB_RESERVOIR_DENSE_H

#include <stddef.h>

#include "dtb/dtb_common.h"

/* C[i * ldc + j] = (add ? C[i * ldc + j] : 0) + sum_k A[i * lda + k] B[j * ldb + k]
 * for i < ni, j < nj, k < nk: every entry is a dot product of a row of A
 * and a row of B. upper: only the entries with j >= i are needed (A B'
 * symmetric, A == B); some below the diagonal are written too, the rest
 * are left as they were. */
void dtb__dense_abt(size_t ni, size_t nj, size_t nk, const double *A, size_t lda, const double *B,
                    size_t ldb, double *C, size_t ldc, int add, int upper);

/* B (cols x rows, leading dimension ldb) = A' (A rows x cols, lda). */
void dtb__dense_transpose(size_t rows, size_t cols, const double *A, size_t lda, double *B,
                          size_t ldb);

/* The eigendecomposition of the symmetric n x n matrix A (row-major; its
 * upper triangle is read; destroyed): eigenvalues d (unsorted) and the
 * eigenvectors as the rows of vt (n x n, row k belongs to d[k]; NULL: the
 * eigenvalues alone, about a third of the work). DTB_ENUMERIC if the QL
 * iteration does not converge, DTB_ENOMEM. */
dtb_status dtb__symm_eigen(double *A, size_t n, double *d, double *vt);

#endif
