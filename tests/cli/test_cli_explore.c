/* dtb sweep and dtb fit: the command-line contract (flags, files, columns,
 * exit statuses, the last line of a fit), refusals that write nothing,
 * interruption and resumption, and the same table from 1, 2 and 3 MPI
 * ranks and from 1 and 2 threads. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* The rows of a results table without its last column (seconds), sorted. */
static char *rows_of(const char *csv)
{
    assert_int_equal(test_sh("sed 1d '%s' | sed 's/,[^,]*$//' | sort", csv), 0);
    return strdup(test_output);
}

#define SWEEP_WITH(DURATION)                                                                    \
    "sweep --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --model generic_2d_oscillator "          \
    "--coupling linear:a=0.0152 --noise 1e-4 --duration " DURATION " --vary a=0.8:1.2:5 "       \
    "--vary coupling.a=0.01,0.03 --score mean-rate --score psd-peak:segment=64ms -q"
#define SWEEP_ARGS SWEEP_WITH("200ms")
/* long enough to be stopped half way */
#define SLOW_SWEEP_ARGS SWEEP_WITH("3s")

static void test_sweep_contract(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' sweep --help", DTB_EXE), 0);
    assert_non_null(strstr(test_output, "--vary"));
    assert_non_null(strstr(test_output, "--jobs"));
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --out s1", DTB_EXE), 0);
    assert_non_null(strstr(test_output, "10 points, 10 ok"));
    assert_int_equal(test_sh("head -1 s1/sweep.csv"), 0);
    assert_string_equal(test_output, "point,a,coupling.a,mean-rate,psd-peak,status,seconds\n");
    assert_true(test_exists("s1/experiment.xml") && test_exists("s1/provenance.json"));
    assert_int_equal(test_sh("wc -l < s1/sweep.csv"), 0);
    assert_int_equal(atoi(test_output), 11);
    /* the same command again: nothing left to run, the table unchanged */
    char *before = rows_of(test_tmp("s1/sweep.csv"));
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --out s1", DTB_EXE), 0);
    char *after = rows_of(test_tmp("s1/sweep.csv"));
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Each refused before any simulation, naming the option and the value,
 * with nothing written. */
static void test_sweep_refusals(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"--vary a=1:2 --score mean-rate", "A:B:N"},
        {"--vary nosuch=1,2 --score mean-rate", "nosuch"},
        {"--vary a=1,2 --score fc=missing.txt", "missing.txt"},
        {"--vary a=1,2 --score fcd-ks", "empirical BOLD"},
        {"--vary a=1,2 --score nope", "unknown kind 'nope'"},
        {"--vary a=1,2 --sample lhs:0", "lhs:0"},
        {"--vary a=1,2 --jobs 0", "--jobs"},
        {"--vary a=1,2 --free b=1:2", "unknown option '--free'"},
        {"--score mean-rate", "nothing varies"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = test_sh("'%s' sweep --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --model "
                         "generic_2d_oscillator --duration 100ms %s --out bad", DTB_EXE, cases[i][0]);
        if (rc != 2 || !strstr(test_output, cases[i][1]))
            fail_msg("case '%s': exit %d, output: %s", cases[i][0], rc, test_output);
        assert_false(test_exists("bad"));
    }
    /* a folder that holds another sweep */
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --out other", DTB_EXE), 0);
    assert_int_equal(test_sh("cp other/sweep.csv saved.csv"), 0);
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --vary b=1,2 --out other", DTB_EXE), 2);
    assert_non_null(strstr(test_output, "b=1,2"));
    assert_int_equal(test_sh("cmp other/sweep.csv saved.csv"), 0);
    /* a folder that holds a reservoir run is not a sweep's, and a sweep's
     * folder not a reservoir's: refused both ways, nothing changed */
    assert_int_equal(test_sh("'%s' reservoir --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --task "
                             "memory-capacity --alpha 0.5 --nulls 0 --out res -q", DTB_EXE), 0);
    assert_int_equal(test_sh("cp res/reservoir.csv saved_res.csv"), 0);
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --out res", DTB_EXE), 2);
    assert_non_null(strstr(test_output, "reservoir.csv"));
    assert_false(test_exists("res/sweep.csv"));
    assert_int_equal(test_sh("cmp res/reservoir.csv saved_res.csv"), 0);
    assert_int_equal(test_sh("'%s' reservoir --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --task "
                             "memory-capacity --alpha 0.5 --nulls 0 --out other -q", DTB_EXE), 2);
    assert_non_null(strstr(test_output, "sweep.csv"));
    assert_false(test_exists("other/reservoir.csv"));
}

/* Interrupted by SIGINT, then SIGTERM: whole rows, exit 130; the same
 * command finishes the table, which equals an uninterrupted one. */
static void test_sweep_interrupt_and_resume(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' " SLOW_SWEEP_ARGS " --out ref", DTB_EXE), 0);
    char *ref = rows_of(test_tmp("ref/sweep.csv"));
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int k = 0; k < 2; k++) {
        test_sh("rm -rf cut");
        pid_t pid = fork();
        if (pid == 0) {
            if (chdir(test_tmpdir()) != 0)
                _exit(99);
            execl("/bin/sh", "sh", "-c", "exec '" DTB_EXE "' " SLOW_SWEEP_ARGS " --batch 1 --out cut",
                  (char *)NULL);
            _exit(98);
        }
        /* wait for the first rows, then stop it */
        for (int i = 0; i < 400; i++) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
            if (test_sh("test -f cut/sweep.csv && test $(wc -l < cut/sweep.csv) -ge 3") == 0)
                break;
        }
        kill(pid, sigs[k]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFEXITED(status));
        int rc = WEXITSTATUS(status);
        assert_int_equal(rc, 130);
        /* every line whole: as many fields as the header */
        assert_int_equal(test_sh("awk -F, 'NF != 7 { bad = 1 } END { exit bad }' cut/sweep.csv"), 0);
        assert_int_equal(test_sh("'%s' " SLOW_SWEEP_ARGS " --out cut", DTB_EXE), 0);
        char *got = rows_of(test_tmp("cut/sweep.csv"));
        assert_string_equal(got, ref);
        free(got);
    }
    free(ref);
}

static void test_threads_same_table(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --jobs 1 --batch 1 --out j1", DTB_EXE), 0);
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --jobs 2 --out j2", DTB_EXE), 0);
    char *a = rows_of(test_tmp("j1/sweep.csv")), *b = rows_of(test_tmp("j2/sweep.csv"));
    assert_string_equal(a, b);
    free(a);
    free(b);
}

#ifdef DTB_MPIRUN
/* Open MPI does not free what its plugins allocate, and unloads them
 * before LeakSanitizer looks, so that nothing can name them in a
 * suppression: under the sanitizers the ranks run without leak detection
 * (AddressSanitizer's other checks stay on; the same sweep code is
 * leak-checked by the tests without MPI). */
#define MPI_ENV "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
                "ASAN_OPTIONS=detect_leaks=0 "
#define MPIRUN MPI_ENV "'" DTB_MPIRUN "' --oversubscribe -np %d"

/* 1, 2 and 3 ranks: the same rows, one table written by rank 0. */
static void test_mpi_same_table(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' " SWEEP_ARGS " --out m0", DTB_EXE), 0);
    char *ref = rows_of(test_tmp("m0/sweep.csv"));
    for (int np = 1; np <= 3; np++) {
        char dir[16];
        snprintf(dir, sizeof dir, "m%d", np);
        int rc = test_sh(MPIRUN " '%s' " SWEEP_ARGS " --out %s", np, DTB_EXE, dir);
        if (rc)
            fail_msg("mpirun -np %d: exit %d: %s", np, rc, test_output);
        char csv[64];
        snprintf(csv, sizeof csv, "%s/sweep.csv", dir);
        char *got = rows_of(test_tmp(csv));
        assert_string_equal(got, ref);
        free(got);
        assert_int_equal(test_sh("grep -c '\"ranks\": %d' %s/provenance.json", np, dir), 0);
    }
    free(ref);
}

/* A rank that dies ends the run; the table keeps whole rows and a rerun
 * (here on one process) finishes it. */
static void test_mpi_rank_dies(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' " SLOW_SWEEP_ARGS " --out d0", DTB_EXE), 0);
    char *ref = rows_of(test_tmp("d0/sweep.csv"));
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(test_tmpdir()) != 0)
            _exit(99);
        execl("/bin/sh", "sh", "-c",
              MPI_ENV "exec '" DTB_MPIRUN "' --oversubscribe -np 3 '" DTB_EXE "' " SLOW_SWEEP_ARGS " --batch 1 --out d1 >/dev/null 2>&1",
              (char *)NULL);
        _exit(98);
    }
    /* when rank 0 has written rows, kill rank 2. The wait is bounded by
     * the run itself (a loaded machine may take minutes to start three
     * ASan ranks), and by ten minutes at most. */
    int killed = 0, status = 0, ended = 0;
    for (int i = 0; i < 60000 && !killed; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        if (waitpid(pid, &status, WNOHANG) == pid) {
            ended = 1;
            break;
        }
        if (test_sh("test -f d1/sweep.csv && test $(wc -l < d1/sweep.csv) -ge 2") != 0)
            continue;
        /* through /proc, not pgrep: a minimal Debian has no procps */
        killed = test_sh("for d in /proc/[0-9]*; do "
                         "  tr '\\0' ' ' < $d/cmdline 2>/dev/null | grep -q 'dtb.*--out d1' || continue; "
                         "  if tr '\\0' '\\n' < $d/environ 2>/dev/null | grep -qx "
                         "     OMPI_COMM_WORLD_RANK=2; then kill -9 ${d#/proc/} && echo killed; fi; done") == 0 &&
                 strstr(test_output, "killed");
    }
    if (!ended)
        waitpid(pid, &status, 0);
    if (!killed)
        fail_msg("rank 2 was not killed: the run %s first", ended ? "ended" : "did not write rows");
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(test_sh("awk -F, 'NF != 7 { bad = 1 } END { exit bad }' d1/sweep.csv"), 0);
    assert_int_equal(test_sh("'%s' " SLOW_SWEEP_ARGS " --out d1", DTB_EXE), 0);
    char *got = rows_of(test_tmp("d1/sweep.csv"));
    assert_string_equal(got, ref);
    free(got);
    free(ref);
}
#else
/* Built without Open MPI: the MPI tests are there and skip, saying why
 * (tools/run-tests.sh fails on a skip; install-deps.sh installs it). */
static void test_mpi_skipped(void **state)
{
    (void)state;
    print_message("SKIP: built without Open MPI or mpirun (libopenmpi-dev, openmpi-bin)\n");
    skip();
}
#define test_mpi_same_table test_mpi_skipped
#define test_mpi_rank_dies test_mpi_skipped
#endif

/* dtb fit: the files, the last line, best.xml rerun to the same numbers. */
/* The mean of the S_e columns of a tavg.csv. */
static double mean_s_e(const char *csv_path)
{
    char *text = read_text_file(csv_path, NULL);
    assert_non_null(text);
    /* header: which columns are S_e */
    int is_s_e[1024];
    size_t n_cols = 0;
    char *p = text;
    while (*p && *p != '\n' && n_cols < 1024) {
        is_s_e[n_cols++] = strncmp(p, "S_e.", 4) == 0;
        p += strcspn(p, ",\n");
        if (*p == ',')
            p++;
    }
    double sum = 0;
    size_t count = 0;
    while (*p == '\n' && p[1]) {   /* each row: values separated by commas */
        p++;
        for (size_t c = 0; c < n_cols && *p && *p != '\n'; c++) {
            if (is_s_e[c])
                sum += strtod(p, NULL), count++;
            p += strcspn(p, ",\n");
            if (*p == ',')
                p++;
        }
    }
    free(text);
    assert_true(count > 0);
    return sum / (double)count;
}

/* dtb sweep --from (issue 14 item 6): every point branches off the same
 * checkpointed state, and a point scores what `dtb run --from` with its
 * settings computes. */
static void test_sweep_from_checkpoint(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' run --duration 20ms --checkpoint sf.ckpt --out sf0 --quiet", DTB_EXE), 0);
    assert_int_equal(test_sh("'%s' sweep --from sf.ckpt --duration 40ms --vary G=0.1,0.3 "
                             "--score mean-rate=S_e --out sf1 -q", DTB_EXE), 0);
    assert_int_equal(test_sh("sed -n 3p sf1/sweep.csv"), 0);
    assert_true(strncmp(test_output, "1,0.3,", 6) == 0);
    const double swept = strtod(test_output + 6, NULL);
    assert_int_equal(test_sh("sed -n 2p sf1/sweep.csv"), 0);
    const double other = strtod(test_output + 6, NULL);
    assert_int_equal(test_sh("'%s' run --from sf.ckpt --duration 40ms --set G=0.3 --observe tavg "
                             "--out sf2 --quiet", DTB_EXE), 0);
    const double run = mean_s_e(test_tmp("sf2/tavg.csv"));
    print_message("sweep --from: G=0.3 scores %.17g, dtb run --from %.17g (G=0.1: %.17g)\n", swept,
                  run, other);
    assert_true(fabs(swept - run) <= 1e-12 * fabs(run));
    assert_true(fabs(swept - other) > 1e-6);   /* the varied setting matters */
    /* a checkpoint of another model is refused before any point runs */
    assert_int_equal(test_sh("'%s' sweep --from sf.ckpt --model wilson_cowan --duration 40ms --vary P=0,1 "
                             "--score mean-rate=E --out sf3 -q", DTB_EXE), 2);
    assert_false(test_exists("sf3/sweep.csv"));
}

static void test_fit_contract(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' fit --help", DTB_EXE), 0);
    assert_non_null(strstr(test_output, "--free"));
    assert_int_equal(test_sh("'%s' run --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --set G=0.3 "
                             "--duration 1s --observe fc:of=tavg:vars=S_e --out truth -q", DTB_EXE), 0);
    int rc = test_sh("'%s' fit --atlas '" DTB_SHARED_DATA "/atlases/tvb76' --duration 1s "
                     "--free G=0.05:0.6 --score fc=truth/fc.csv:of=tavg --budget 12 --out f1", DTB_EXE);
    if (rc)
        fail_msg("dtb fit: exit %d: %s", rc, test_output);
    /* the last line of stdout */
    char *last = test_output + strlen(test_output) - 1;
    while (last > test_output && last[-1] != '\n')
        last--;
    assert_true(strncmp(last, "best: fc=", 9) == 0);
    double r = atof(last + 9);
    assert_non_null(strstr(last, " G="));
    assert_true(test_exists("f1/fit.csv") && test_exists("f1/best.xml") && test_exists("f1/fit.svg"));
    assert_int_equal(test_sh("head -1 f1/fit.csv"), 0);
    assert_string_equal(test_output, "evaluation,generation,G,fc,objective,best,status,seconds\n");
    assert_int_equal(test_sh("wc -l < f1/fit.csv"), 0);
    assert_int_equal(atoi(test_output), 13);
    /* dtb run of best.xml gives the best's FC fit */
    assert_int_equal(test_sh("'%s' run f1/best.xml --observe fc:of=tavg:vars=S_e "
                             "--empirical-fc truth/fc.csv --out rerun -q", DTB_EXE), 0);
    const char *at = strstr(test_output, "r = ");
    assert_non_null(at);
    assert_true(fabs(atof(at + 4) - r) < 5e-5);
    /* refusals */
    assert_int_equal(test_sh("'%s' fit --free G=0.5:0.1 --score mean-rate --out bad", DTB_EXE), 2);
    assert_non_null(strstr(test_output, "LO must be below HI"));
    assert_int_equal(test_sh("'%s' fit --free G=0.1:0.5 --score fc=truth/fc.csv:of=tavg --budget 0 "
                             "--out bad", DTB_EXE), 2);
    assert_int_equal(test_sh("'%s' fit --free G=0.1:0.5 --out bad", DTB_EXE), 2);
    assert_false(test_exists("bad"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_contract),
        cmocka_unit_test(test_sweep_refusals),
        cmocka_unit_test(test_sweep_interrupt_and_resume),
        cmocka_unit_test(test_threads_same_table),
        cmocka_unit_test(test_mpi_same_table),
        cmocka_unit_test(test_mpi_rank_dies),
        cmocka_unit_test(test_fit_contract),
        cmocka_unit_test(test_sweep_from_checkpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
