/* Observe a twin like an experimenter: BOLD and EEG recorded while the
 * simulation runs, the FC of the BOLD signal computed on the fly, then the
 * analysis API on the recorded EEG (spectrum, band-passed phase, synchrony).
 * Wilson-Cowan with noise on the built-in bn246 atlas, 10 s simulated.
 *
 *   cc experimenter.c $(pkg-config --cflags --libs dtb) -o experimenter
 */
#include <stdio.h>
#include <stdlib.h>

#include <dtb/dtb.h>

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, dtb_last_error_message());
    return 1;
}

int main(void)
{
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    dtb_observer *bold = NULL, *fc = NULL, *eeg = NULL;
    double *t = NULL, *v = NULL, *phase = NULL, *fcm = NULL;
    int rc = 1;
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 5e-4;
    if (dtb_atlas_create_builtin(&atlas, "bn246") || dtb_model_create_builtin(&model, "wilson_cowan") ||
        dtb_sim_create(&sim, atlas, model, &so) || dtb_sim_set_noise(sim, -1, 1e-5))
        return fail("setup");

    /* BOLD of E every 0.5 s (Stephan 2007 constants), into memory. */
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_BOLD;
    o.period = 0.5;
    o.bold_model = DTB_BOLD_STEPHAN2007;
    if (dtb_observer_create(&bold, sim, &o))
        goto out;
    /* The FC of that same BOLD signal, from running sums. */
    o.kind = DTB_OBSERVER_FC;
    o.source = DTB_OBSERVER_BOLD;
    if (dtb_observer_create(&fc, sim, &o))
        goto out;
    /* EEG: 2 ms means through the built-in lead field (21 electrodes). */
    dtb_observer_options_init(&o, DTB_OBSERVER_OPTIONS_VERSION);
    o.kind = DTB_OBSERVER_PROJECTION;
    o.period = 2e-3;
    if (dtb_observer_create(&eeg, sim, &o))
        goto out;

    if (dtb_sim_run(sim, 10.0, NULL, NULL))
        goto out;

    int64_t n = dtb_sim_region_count(sim);
    fcm = malloc((size_t)(n * n) * sizeof *fcm);
    if (!fcm || dtb_observer_result(fc, fcm, (size_t)(n * n), NULL, NULL))
        goto out;
    printf("BOLD: %lld samples; FC(A8m_L, A8m_R) = %.3f\n",
           (long long)dtb_observer_sample_count(bold), fcm[1]);

    size_t T = (size_t)dtb_observer_pending(eeg), E = (size_t)dtb_observer_column_count(eeg), got;
    t = malloc(T * sizeof *t);
    v = malloc(T * E * sizeof *v);
    phase = malloc(T * E * sizeof *phase);
    if (!t || !v || !phase || dtb_observer_read(eeg, t, v, T, &got))
        goto out;
    /* Spectrum of the electrodes, 1-s segments. */
    dtb_psd_options po = DTB_PSD_OPTIONS_INIT;
    po.segment = 500;
    size_t nf;
    if (dtb_analysis_psd(NULL, NULL, 0, &nf, v, got, E, 2e-3, &po))
        goto out;
    double *f = malloc(nf * sizeof *f), *p = malloc(nf * E * sizeof *p);
    if (!f || !p || dtb_analysis_psd(f, p, nf, &nf, v, got, E, 2e-3, &po)) {
        free(f);
        free(p);
        goto out;
    }
    size_t peak = 1;
    for (size_t k = 1; k < nf; k++)
        if (p[k * E + 10] > p[peak * E + 10])
            peak = k;
    printf("EEG %s: spectral peak at %.1f Hz\n", dtb_observer_column_name(eeg, 10), f[peak]);
    free(f);
    free(p);
    /* Alpha-band phase and the electrodes' synchrony. */
    double meta, sync;
    if (dtb_analysis_bandpass(phase, v, got, E, 2e-3, 8, 12, 2) ||
        dtb_analysis_hilbert_phase(phase, phase, got, E) ||
        dtb_analysis_metastability(&meta, &sync, phase, got, E))
        goto out;
    printf("EEG 8-12 Hz: synchrony %.3f, metastability %.3f\n", sync, meta);
    rc = 0;
out:
    if (rc)
        fail("experimenter");
    free(t);
    free(v);
    free(phase);
    free(fcm);
    dtb_observer_free(bold);
    dtb_observer_free(fc);
    dtb_observer_free(eeg);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return rc;
}
