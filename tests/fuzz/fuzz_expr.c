/* Fuzz harness: the LEMS expression compiler (libdtb/expr, internal API).
 * The input is the text of one expression. Each input is parsed; a parsed
 * expression is rendered, parsed again (the rendering must read back to
 * the same rendering), evaluated as a scalar, compiled into a block
 * program with every symbol as a per-element input, and run over a block.
 * Errors are expected; crashes, sanitizer reports, leaks and a broken
 * round trip are bugs (the last aborts).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb_error.h>

#include "expr/expr.h"
#include "fuzz.h"

#define N_ELEMENTS 5
#define MAX_INPUTS 64

typedef struct symbols {
    char *names[MAX_INPUTS];
    int n;
} symbols;

static int collect(const char *name, void *ud)
{
    symbols *s = ud;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return 0;
    if (s->n == MAX_INPUTS)
        return 1;
    s->names[s->n] = strdup(name);
    return s->names[s->n++] ? 0 : 1;
}

static int lookup(const char *name, double *value, void *ud)
{
    (void)ud;
    *value = 0.25 + (double)(strlen(name) % 7);
    return 1;
}

static double uniform(void *ud)
{
    unsigned *state = ud;
    *state = *state * 1103515245u + 12345u;
    return (double)(*state >> 8) / 16777216.0;
}

/* The compact rendering (checkpoints store coupling expressions this way,
 * since the full one nests deeper than a long sum may) reads back as the
 * same tree: the same full rendering. */
static void compact_round_trip(const dtb__expr *e, const char *full)
{
    char *compact = dtb__expr_to_text(e);
    if (!compact)
        return;
    dtb__expr *again = NULL;
    if (dtb__expr_parse(compact, &again) != DTB_OK) {
        /* "-(-x)" for "--x" adds a level per minus, like the full form */
        if (strstr(dtb_last_error_message(), "nested too deeply")) {
            free(compact);
            return;
        }
        fprintf(stderr, "the compact rendering does not parse: %s\n  %s\n", compact,
                dtb_last_error_message());
        abort();
    }
    size_t need = dtb__expr_format(again, NULL, 0);
    char *back = malloc(need + 1);
    if (back) {
        dtb__expr_format(again, back, need + 1);
        if (strcmp(full, back) != 0) {
            fprintf(stderr, "the compact rendering changed the expression:\n  %s\n  %s\n  %s\n",
                    compact, full, back);
            abort();
        }
        free(back);
    }
    dtb__expr_free(again);
    free(compact);
}

static void round_trip(const dtb__expr *e)
{
    size_t need = dtb__expr_format(e, NULL, 0);
    char *first = malloc(need + 1);
    if (!first)
        return;
    dtb__expr_format(e, first, need + 1);
    compact_round_trip(e, first);
    dtb__expr *again = NULL;
    if (dtb__expr_parse(first, &again) == DTB_OK) {
        size_t need2 = dtb__expr_format(again, NULL, 0);
        char *second = malloc(need2 + 1);
        if (second) {
            dtb__expr_format(again, second, need2 + 1);
            if (strcmp(first, second) != 0) {
                fprintf(stderr, "round trip changed the expression:\n  %s\n  %s\n", first, second);
                abort();
            }
            free(second);
        }
        dtb__expr_free(again);
    } else if (!strstr(dtb_last_error_message(), "nested too deeply")) {
        /* The full rendering adds parentheses, so it may nest deeper than
         * the input did; anything else means it cannot be read back. */
        fprintf(stderr, "the rendering does not parse: %s\n  %s\n", first,
                dtb_last_error_message());
        abort();
    }
    free(first);
}

static void compile_and_run(const dtb__expr *e)
{
    symbols syms = {{0}, 0};
    if (dtb__expr_visit_symbols(e, collect, &syms) != 0)
        goto out;
    dtb__prog_builder *pb = dtb__pb_new();
    if (!pb)
        goto out;
    int scalar_t = -1;
    for (int i = 0; i < syms.n; i++) {
        if (strcmp(syms.names[i], "t") == 0)
            scalar_t = dtb__pb_scalar_input(pb, "t");
        else
            dtb__pb_vector_input(pb, syms.names[i]);
    }
    dtb__prog *prog = NULL;
    if (dtb__pb_output(pb, e, "fuzz output") >= 0 && dtb__pb_finish(pb, &prog) == DTB_OK) {
        static double storage[MAX_INPUTS][N_ELEMENTS];
        const double *vectors[MAX_INPUTS];
        int nv = dtb__prog_n_vector_inputs(prog);
        for (int v = 0; v < nv && v < MAX_INPUTS; v++) {
            for (int k = 0; k < N_ELEMENTS; k++)
                storage[v][k] = (double)(k - 2) * 0.75 + v;
            vectors[v] = storage[v];
        }
        double scalars[1] = {0.5};
        double out[N_ELEMENTS];
        double *outputs[1] = {out};
        unsigned seed = 1;
        dtb__prog_env env = {scalar_t >= 0 ? scalars : NULL, vectors, outputs, N_ELEMENTS,
                             uniform, &seed};
        dtb__prog_scratch *scratch = dtb__prog_scratch_new(prog);
        if (scratch && dtb__prog_n_outputs(prog) == 1) {
            dtb__prog_eval(prog, &env, scratch);
            volatile double sink = out[0];
            (void)sink;
        }
        dtb__prog_scratch_free(scratch);
        dtb__prog_free(prog);
    }
    dtb__pb_free(pb);
out:
    for (int i = 0; i < syms.n; i++)
        free(syms.names[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dtb__expr *e = NULL;
    if (dtb__expr_parse(text, &e) == DTB_OK) {
        round_trip(e);
        double v;
        dtb__expr_eval_scalar(e, lookup, NULL, &v);
        compile_and_run(e);
        dtb__expr_free(e);
    }
    free(text);
    return 0;
}
