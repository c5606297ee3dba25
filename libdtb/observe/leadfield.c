/* libdtb — the built-in EEG lead field: radial region dipoles in a
 * homogeneous or three-shell spherical head (dtb_leadfield.h states the
 * approximation).
 *
 * Potential on the scalp of a radial dipole p at distance b from the
 * centre, at angle g from it, in concentric shells (radii in units of the
 * scalp radius R, innermost shell holding the source):
 *   V(g) = p / (4 pi R^2) sum_n lambda_n (2n+1)/(n+1) P_n(cos g),
 * where, for each degree n, the potential in shell k is
 * (a_k r^n + b_k r^-(n+1)) P_n: the outermost shell has no current through
 * the scalp (b = n/(n+1) a, a = 1), potential and normal current
 * sigma dV/dr are continuous at each interface, which carries (a, b)
 * inwards, and lambda_n scales the solution so that the innermost r^-(n+1)
 * coefficient is the source's own, n b^(n-1) / sigma_1. In one homogeneous
 * shell this is the classic sum (2n+1) (b/R)^(n-1) P_n(cos g) / sigma.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "base/base.h"
#include "dtb/dtb_leadfield.h"

#define PI 3.14159265358979323846
#define MIN_RADIUS_MM 90.0
#define SOURCE_DEPTH 0.8     /* sources lie within this fraction of the radius */

typedef struct electrode {
    const char *name;
    double polar, azimuth;   /* degrees: from the vertex; from the nose towards the left */
} electrode;

/* 10-20 positions on a sphere: the nasion-inion and ear-to-ear arcs in
 * steps of 10 % / 20 % (18 / 36 degrees), the 10 % ring at 72 degrees from
 * the vertex; F3, F4, P3, P4 are filled in as great-circle midpoints. */
static const electrode electrodes[] = {
    {"Fp1", 72, 18},  {"Fpz", 72, 0},    {"Fp2", 72, -18}, {"F7", 72, 54},   {"F3", -1, 0},
    {"Fz", 36, 0},    {"F4", -1, 0},     {"F8", 72, -54},  {"T7", 72, 90},   {"C3", 36, 90},
    {"Cz", 0, 0},     {"C4", 36, -90},   {"T8", 72, -90},  {"P7", 72, 126},  {"P3", -1, 0},
    {"Pz", 36, 180},  {"P4", -1, 0},     {"P8", 72, -126}, {"O1", 72, 162},  {"Oz", 72, 180},
    {"O2", 72, -162},
};
#define N_ELECTRODES ((int64_t)(sizeof electrodes / sizeof electrodes[0]))

int64_t dtb_leadfield_sensor_count(void) { return N_ELECTRODES; }

const char *dtb_leadfield_sensor_name(int64_t sensor)
{
    return sensor >= 0 && sensor < N_ELECTRODES ? electrodes[sensor].name : NULL;
}

static void unit_position(const electrode *e, double u[3])
{
    double th = e->polar * PI / 180, ph = e->azimuth * PI / 180;
    u[0] = -sin(th) * sin(ph);   /* MNI x: right */
    u[1] = sin(th) * cos(ph);    /* y: anterior */
    u[2] = cos(th);              /* z: superior */
}

static void normalise(double u[3])
{
    double r = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    for (int i = 0; i < 3; i++)
        u[i] /= r;
}

/* All 21 electrode positions on the unit sphere. */
static void electrode_positions(double pos[][3])
{
    for (int64_t e = 0; e < N_ELECTRODES; e++)
        if (electrodes[e].polar >= 0)
            unit_position(&electrodes[e], pos[e]);
    static const struct { int at, a, b; } midpoints[] = {
        {4, 5, 3}, {6, 5, 7}, {14, 15, 13}, {16, 15, 17}};   /* F3 F4 P3 P4 */
    for (size_t m = 0; m < 4; m++) {
        for (int i = 0; i < 3; i++)
            pos[midpoints[m].at][i] = pos[midpoints[m].a][i] + pos[midpoints[m].b][i];
        normalise(pos[midpoints[m].at]);
    }
}

typedef struct head {
    int n_shells;
    double radius[3];   /* outer radius of each shell, innermost first, scalp = 1 */
    double sigma[3];    /* S/m */
} head;

static head head_of(dtb_head_model m)
{
    if (m == DTB_HEAD_HOMOGENEOUS)
        return (head){1, {1, 0, 0}, {0.33, 0, 0}};
    return (head){3, {0.87, 0.92, 1.0}, {0.33, 0.33 / 80, 0.33}};
}

/* lambda_n (2n+1)/(n+1) for degree n and source radius b (units of R). */
static double degree_weight(const head *h, int n, double b)
{
    double a = 1, c = (double)n / (n + 1);          /* outermost shell, at r = 1 */
    for (int k = h->n_shells - 1; k > 0; k--) {
        /* Interface between shell k (outer) and k - 1 (inner) at radius rho. */
        double rho = h->radius[k - 1];
        double rn = pow(rho, n), rm = pow(rho, -(n + 1));
        double V = a * rn + c * rm;
        double J = h->sigma[k] / h->sigma[k - 1] * (n * a * rn / rho - (n + 1) * c * rm / rho);
        double ai = ((n + 1) * V / rho + J) / ((2 * n + 1) * rn / rho);
        double ci = (V - ai * rn) / rm;
        a = ai;
        c = ci;
    }
    double source = n * pow(b, n - 1) / h->sigma[0];
    return source / c * (2.0 * n + 1) / (n + 1);
}

#define MAX_DEGREE 2000

/* The degree weights of a source at radius b, until they no longer matter
 * (b^n below round-off); returns how many (weight n is w[n - 1]). */
static int degree_weights(const head *h, double b, double *w)
{
    int n = 1;
    for (; n <= MAX_DEGREE; n++) {
        w[n - 1] = degree_weight(h, n, b);
        if (n > 8 && pow(b, n) < 1e-16)
            break;
    }
    return n > MAX_DEGREE ? MAX_DEGREE : n;
}

/* Scalp potential (units of p / (4 pi R^2)) at angle cos_g from the
 * dipole's axis: the Legendre series with P_n by their recurrence. */
static double potential(const double *w, int n_degrees, double cos_g)
{
    double p_prev = 1, p = cos_g, sum = 0;
    for (int n = 1; n <= n_degrees; n++) {
        sum += w[n - 1] * p;
        double next = ((2 * n + 1) * cos_g * p - n * p_prev) / (n + 1);
        p_prev = p;
        p = next;
    }
    return sum;
}

dtb_status dtb_leadfield_eeg(double *gain, size_t capacity, size_t *needed_out,
                             const double *centres, int64_t n_regions, dtb_head_model head_model)
{
    static const char fn[] = "dtb_leadfield_eeg";
    if (needed_out)
        *needed_out = 0;
    if (!centres)
        return dtb__error(DTB_EINVAL, "%s: centres is NULL", fn);
    if (n_regions < 1 || n_regions > ((int64_t)1 << 24))
        return dtb__error(DTB_EINVAL, "%s: %lld regions", fn, (long long)n_regions);
    if (head_model < 0 || head_model > DTB_HEAD_THREE_SHELL)
        return dtb__error(DTB_EINVAL, "%s: unknown head model %d", fn, (int)head_model);
    const size_t N = (size_t)n_regions, needed = (size_t)N_ELECTRODES * N;
    if (needed_out)
        *needed_out = needed;
    if (!gain)
        return DTB_OK;
    if (capacity < needed)
        return dtb__error(DTB_EBUFSIZE, "%s: room for %zu values, %zu needed", fn, capacity, needed);
    double c[3] = {0, 0, 0}, r_max = 0;
    for (size_t k = 0; k < N; k++)
        for (int i = 0; i < 3; i++) {
            if (!isfinite(centres[3 * k + i]))
                return dtb__error(DTB_EINVAL, "%s: centre of region %zu is not finite", fn, k);
            c[i] += centres[3 * k + i] / (double)N;
        }
    for (size_t k = 0; k < N; k++)
        r_max = fmax(r_max, hypot(hypot(centres[3 * k] - c[0], centres[3 * k + 1] - c[1]),
                                  centres[3 * k + 2] - c[2]));
    const double R_mm = fmax(MIN_RADIUS_MM, r_max / SOURCE_DEPTH), R = R_mm * 1e-3;
    const head h = head_of(head_model == DTB_HEAD_DEFAULT ? DTB_HEAD_THREE_SHELL : head_model);
    double pos[N_ELECTRODES][3];
    electrode_positions(pos);
    const double scale = 1 / (4 * PI * R * R);
    double *w = dtb__malloc_array(MAX_DEGREE, sizeof *w);
    if (!w)
        return DTB_ENOMEM;
    for (size_t k = 0; k < N; k++) {
        double u[3] = {centres[3 * k] - c[0], centres[3 * k + 1] - c[1], centres[3 * k + 2] - c[2]};
        double r = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        if (r < 1e-9 * R_mm) {
            /* At the centre a radial direction does not exist: point up. */
            u[0] = u[1] = 0;
            u[2] = 1;
        } else {
            normalise(u);
        }
        int n_degrees = degree_weights(&h, r / R_mm, w);
        double mean = 0;
        for (int64_t e = 0; e < N_ELECTRODES; e++) {
            double cg = pos[e][0] * u[0] + pos[e][1] * u[1] + pos[e][2] * u[2];
            double v = scale * potential(w, n_degrees, fmax(-1, fmin(1, cg)));
            gain[(size_t)e * N + k] = v;
            mean += v / (double)N_ELECTRODES;
        }
        for (int64_t e = 0; e < N_ELECTRODES; e++)
            gain[(size_t)e * N + k] -= mean;
    }
    free(w);
    return DTB_OK;
}
