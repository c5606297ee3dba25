/* dtb plot — SVG figures of saved outputs (also what `dtb run --plot` does).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "plot_figures.h"

/* "dir/bold-2.csv" -> stem "bold-2", kind "bold". */
static void names_of(const char *path, char *stem, size_t stem_size, char *kind, size_t kind_size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    snprintf(stem, stem_size, "%.*s", (int)len, base);
    snprintf(kind, kind_size, "%s", stem);
    char *dash = strrchr(kind, '-');
    if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
        *dash = '\0';
}

int plot_files(const char *const *paths, size_t n_paths, const char *out_dir, const char *regions,
               const dtb_atlas *atlas, int quiet)
{
    int rc = 0;
    for (size_t i = 0; i < n_paths; i++) {
        char stem[256], kind[256], svg[4400], dir[4096];
        names_of(paths[i], stem, sizeof stem, kind, sizeof kind);
        if (out_dir) {
            snprintf(dir, sizeof dir, "%s", out_dir);
        } else {
            const char *slash = strrchr(paths[i], '/');
            snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - paths[i]) : 1,
                     slash ? paths[i] : ".");
        }
        snprintf(svg, sizeof svg, "%s/%s.svg", dir, stem);
        figure_request r = {paths[i], svg, kind, regions, atlas};
        int frc;
        if (!strcmp(kind, "fc") || !strcmp(kind, "fcd"))
            frc = figure_matrix(&r);
        else if (!strcmp(kind, "psd"))
            frc = figure_psd(&r);
        else if (!strcmp(kind, "spikes"))
            frc = figure_spikes(&r);
        else
            frc = figure_series(&r);
        if (!frc && !quiet)
            printf("  figure: %s\n", svg);
        if (frc && !rc)
            rc = frc;
    }
    return rc;
}

/* --brain: a brain figure per file of regions (time series, FC) beside
 * each file or into out_dir, as <stem>-brain.svg; spectra, FCD, spikes and
 * sensor signals have no place on the brain and are passed over. */
static int plot_brain_files(const char *const *paths, size_t n_paths, const char *out_dir,
                            const dtb_atlas *atlas, int quiet)
{
    static const char *const not_regions[] = {"psd", "fcd", "spikes", "eeg", "meg", "seeg",
                                              "spikes_spiking"};
    int rc = 0;
    for (size_t i = 0; i < n_paths; i++) {
        char stem[256], kind[256], svg[4400], dir[4096];
        names_of(paths[i], stem, sizeof stem, kind, sizeof kind);
        int skip = 0;
        for (size_t k = 0; k < sizeof not_regions / sizeof not_regions[0]; k++)
            skip |= !strcmp(kind, not_regions[k]);
        if (skip) {
            if (!quiet)
                printf("  %s: not one value per region, no brain figure\n", paths[i]);
            continue;
        }
        if (out_dir) {
            snprintf(dir, sizeof dir, "%s", out_dir);
        } else {
            const char *slash = strrchr(paths[i], '/');
            snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - paths[i]) : 1,
                     slash ? paths[i] : ".");
        }
        snprintf(svg, sizeof svg, "%s/%s-brain.svg", dir, stem);
        figure_request r = {paths[i], svg, kind, NULL, atlas};
        int frc = figure_brain(&r);
        if (!frc && !quiet)
            printf("  figure: %s\n", svg);
        if (frc && !rc)
            rc = frc;
    }
    return rc;
}

/* The atlas of the run that wrote a results folder (its experiment.xml),
 * the default twin's when it names none; NULL when there is no such file. */
static char *atlas_of_folder(const char *dir)
{
    char *path = cli_format("%s/experiment.xml", dir);
    struct stat st;
    if (!path || stat(path, &st) != 0) {
        free(path);
        return NULL;
    }
    dtb_experiment *exp = NULL;
    char *name = NULL;
    if (dtb_experiment_load(&exp, path) == DTB_OK) {
        const char *a = dtb_experiment_get(exp, "atlas");
        name = strdup(a ? a : "bn246-opendtb");
    }
    dtb_experiment_free(exp);
    free(path);
    return name;
}

int check_region_list(const char *list, const dtb_atlas *atlas, const char *flag)
{
    char *copy = strdup(list);
    if (!copy)
        return cli_usage_error("out of memory");
    int rc = 0;
    for (char *tok = strtok(copy, ","); tok && !rc; tok = strtok(NULL, ",")) {
        int64_t k;
        int ok = cli_parse_int64(tok, &k) ? k >= 0 && k < dtb_atlas_region_count(atlas)
                                           : dtb_atlas_find_region(atlas, tok, &k) == DTB_OK;
        for (int64_t e = 0; !ok && e < dtb_leadfield_sensor_count(); e++)
            ok = !strcmp(tok, dtb_leadfield_sensor_name(e));
        if (!ok)
            rc = cli_usage_error("%s: '%s' is neither a region of %s (0..%lld or a label) nor an "
                                 "electrode name", flag, tok, dtb_atlas_name(atlas),
                                 (long long)dtb_atlas_region_count(atlas) - 1);
    }
    free(copy);
    return rc;
}

static int is_output(const char *name)
{
    return (cli_has_suffix(name, ".csv") || cli_has_suffix(name, ".npy")) && name[0] != '.';
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The output files of a folder, sorted. */
static int list_folder(const char *dir, char ***out, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return cli_usage_error("plot: cannot read folder '%s'", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_output(e->d_name))
            continue;
        char **p = realloc(*out, (*n + 1) * sizeof *p);
        if (p)
            *out = p;
        if (!p || !(p[*n] = cli_format("%s/%s", dir, e->d_name))) {
            closedir(d);
            return cli_usage_error("out of memory");
        }
        (*n)++;
    }
    closedir(d);
    qsort(*out, *n, sizeof **out, compare_names);
    return 0;
}

static void print_plot_help(void)
{
    printf("Usage: dtb plot [OPTIONS] PATH...\n"
           "\n"
           "Draw SVG figures of the files dtb run wrote (CSV or NPY), one per file, beside each\n"
           "file or into --out; a folder means every .csv/.npy file in it. The kind of figure\n"
           "follows the file name: fc and fcd (heat maps; fc.csv with region labels), psd\n"
           "(spectra, logarithmic), spikes (raster), anything else a time series.\n"
           "\n"
           "  --out DIR           folder of the figures (default: beside each file)\n"
           "  --regions LIST      regions or columns of the time series and spectra: indices,\n"
           "                      atlas labels, or column names (Cz); default six spread over\n"
           "                      the regions\n"
           "  --brain             instead, brain figures (FILE-brain.svg) of the files with one\n"
           "                      column per region: each region's mean and the strongest FC\n"
           "                      edges (for fc.csv: mean r and the FC) on sagittal, coronal\n"
           "                      and axial glass-brain views of the atlas' MNI centres\n"
           "  --atlas NAME|DIR    atlas of the regions (default: the one the folder's\n"
           "                      experiment.xml names, else bn246-opendtb)\n"
           "  --quiet             do not list the figures written\n"
           "  --help              show this help\n"
           "\n"
           "Exit status: 0 success, 2 bad arguments or unreadable files.\n");
}

int cmd_plot(int argc, char **argv)
{
    const char *out = NULL, *regions = NULL, *atlas_name = NULL;
    char *folder_atlas = NULL;
    int quiet = 0, brain = 0, rc = 0;
    char **paths = NULL;
    size_t n = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            print_plot_help();
            goto done;
        }
        if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            quiet = 1;
        } else if (!strcmp(arg, "--brain")) {
            brain = 1;
        } else if (!strcmp(arg, "--out") || !strcmp(arg, "--regions") || !strcmp(arg, "--atlas")) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("%s needs a value", arg);
                break;
            }
            const char **slot = arg[2] == 'o' ? &out : arg[2] == 'r' ? &regions : &atlas_name;
            *slot = argv[++i];
        } else if (arg[0] == '-') {
            rc = cli_usage_error("plot: unknown option '%s' (see 'dtb plot --help')", arg);
        } else {
            struct stat st;
            if (stat(arg, &st) != 0)
                rc = cli_usage_error("plot: no file or folder '%s'", arg);
            else if (S_ISDIR(st.st_mode)) {
                rc = list_folder(arg, &paths, &n);
                if (!folder_atlas)
                    folder_atlas = atlas_of_folder(arg);
            }
            else {
                char **p = realloc(paths, (n + 1) * sizeof *p);
                if (!p || !(p[n] = strdup(arg)))
                    rc = cli_usage_error("out of memory");
                else
                    paths = p, n++;
            }
        }
    }
    if (!rc && n == 0)
        rc = cli_usage_error("plot: no output files given (try 'dtb plot dtb-out')");
    dtb_atlas *atlas = NULL;
    if (!atlas_name)
        atlas_name = folder_atlas ? folder_atlas : "bn246-opendtb";
    if (!rc && dtb_atlas_load(&atlas, atlas_name, NULL))
        rc = cli_usage_error("--atlas: %s", dtb_last_error_message());
    if (!rc && regions)
        rc = check_region_list(regions, atlas, "--regions");
    if (!rc && brain)
        rc = plot_brain_files((const char *const *)paths, n, out, atlas, quiet);
    else if (!rc)
        rc = plot_files((const char *const *)paths, n, out, regions, atlas, quiet);
    dtb_atlas_free(atlas);
done:
    free(folder_atlas);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}
