/* libdtb internal — the pieces of the checkpoint reader (sim_checkpoint.c)
 * that branching (sim_branch.c) shares: the file's header, the state
 * record, and the record the reader fills before anything is applied.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SIM_CHECKPOINT_H
#define DTB_SIM_CHECKPOINT_H

#include "base/bytes.h"
#include "sim.h"

/* Everything read from the file, applied only once all of it is checked. */
typedef struct dtb__ckpt_loaded {
    int64_t step;
    uint32_t started;
    uint64_t rng[4];
    double *x, *params, *noise_D, *ou, *weights, *lengths, *ring, *coupling_in;
    uint32_t noise_kind, has_ou, has_lengths, coupling_kind;
    double noise_tau, speed, inner_step;
    uint64_t n_coupling_params;
    char *coupling_names[DTB__COUPLING_MAX_PARAMS];
    double coupling_values[DTB__COUPLING_MAX_PARAMS];
    char *pre, *post;
    int64_t horizon;
    uint64_t (*stim_rng)[4];
    double **stim_pulse;
    uint64_t n_scheduled, next_scheduled, n_provenance;
    char **provenance;
    size_t observers_at;          /* reader position of the observer records */
    double *spiking_rates;        /* per spiking region */
    size_t spiking_at;            /* reader position of the spiking network's record */
} dtb__ckpt_loaded;

void dtb__checkpoint_loaded_free(dtb__ckpt_loaded *l, size_t n_stims);

/* count doubles from r (malloc'd); NULL and r->bad when the file is short */
double *dtb__checkpoint_read_array(dtb__reader *r, size_t count);

/* The whole file into *data (free it), its magic, format and checksum
 * checked; r positioned at the fingerprint; the note (NULL if none) points
 * into *data. */
dtb_status dtb__checkpoint_open_header(const char *path, unsigned char **data, dtb__reader *r,
                                       const char **note, size_t *note_len);

/* The state record (after the fingerprint), for a simulation of the
 * checkpoint's model and sizes. */
dtb_status dtb__checkpoint_read_state(dtb_sim *sim, dtb__reader *r, const char *path,
                                      dtb__ckpt_loaded *l);

#endif
