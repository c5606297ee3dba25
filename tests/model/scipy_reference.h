/* One uncoupled node of a built-in region model against a SciPy (or
 * closed-form) reference in tests/data/reference/models/<model>.csv: the
 * reader and the run, shared by test_models_scipy.c and
 * test_models_scipy_b.c. */
#ifndef SCIPY_REFERENCE_H
#define SCIPY_REFERENCE_H

/* Runs the model of <name>.csv (its "# model" line, else `name`; its
 * "# set" parameters, its "# start" state) with
 * RK4 at dt = 0.01 ms and returns the largest difference from the
 * reference over every row and state variable, relative to the largest
 * |value| of that variable in the reference (NaN if libdtb's run gives
 * NaN). Asserts that the CSV has `rows` rows. With `mutate` non-NULL,
 * that parameter is multiplied by `factor` after the CSV's settings: a
 * mutation the comparison must notice. */
double scipy_difference(const char *name, int rows, const char *mutate, double factor);

/* scipy_difference() within `bound`, and the same run with `mutate` x
 * (1 + 1e-5) beyond it (the test can fail); prints both figures. */
void scipy_check(const char *name, int rows, double bound, const char *mutate);

#endif
