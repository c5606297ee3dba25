/* libdtb — the twin as a computing reservoir, against null connectomes.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reservoir computing on connectomes (as conn2res, Suarez et al. 2024):
 * the connectome is the recurrent network, a task signal drives its input
 * regions, a linear readout trained on its output regions is scored on the
 * task, and the connectome is compared with null connectomes of the same
 * atlas (dtb_atlas_rewire) over a range of alpha.
 *
 * Two kinds of reservoir:
 *   echo-state network   x(0) = 0, x(t+1) = f(alpha W^ x(t) + w_in u(t+1)):
 *                        W^ the atlas' weights (rows are targets) divided by
 *                        their spectral radius (the largest |eigenvalue|:
 *                        GSL's symmetric eigensolver for symmetric weights,
 *                        its nonsymmetric one otherwise), f = tanh (or
 *                        identity, logistic sigmoid), w_in = 1 on the input
 *                        regions (channel c of a C-channel input on the
 *                        input regions i with i mod C = c), 0 elsewhere;
 *                        the readout reads x of the output regions;
 *   a simulation         an experiment (dtb_experiment.h: any model, delays,
 *                        noise, spiking regions) whose weights are the
 *                        network's, divided by their spectral radius and
 *                        multiplied by alpha; the task input enters a state
 *                        variable, parameter or input of the model in the
 *                        input regions as a piecewise-constant stimulus
 *                        (scale x u, one value per period), and the readout
 *                        samples an observer (tavg of chosen variables, BOLD)
 *                        every period, in the output regions.
 *
 * Readouts: ridge regression (a bias, the output features), the ridge
 * parameter chosen by 5-fold cross-validation over contiguous blocks of the
 * training steps on the grid 10^-8, 10^-7, ..., 10^2; classification by
 * one-vs-rest ridge (or logistic regression); the split: after the task's
 * washout, the first 70 % of the scored steps train, the rest test.
 *
 * Tasks ("name"; each a seeded generator; the score, larger is better):
 *   memory-capacity  u i.i.d. uniform on [-1, 1], targets u(t - k) for
 *                    k = 1..K (Jaeger 2001); score: the sum over k of the
 *                    squared correlation of target and reconstruction
 *   narma10          10th-order NARMA of u uniform on [0, 0.5]; score r^2
 *   sine-square      sine input, the square wave of the same phase; r^2
 *   decision         two noisy evidence channels, which is larger (a
 *                    perceptual decision, NeuroGym's kind); accuracy
 *   go-nogo          go or no-go cue, respond after a delay; accuracy
 *   dms              delayed match-to-sample of two stimuli; accuracy
 * or the caller's sequences (dtb_reservoir_set_task_data).
 *
 * Thread safety: one thread at a time per reservoir; dtb_reservoir_run
 * runs threads of its own (and MPI ranks, as dtb_explore.h). */
#ifndef DTB_RESERVOIR_H
#define DTB_RESERVOIR_H

#include "dtb_common.h"
#include "dtb_atlas.h"
#include "dtb_experiment.h"
#include "dtb_explore.h"

DTB_BEGIN_DECLS

typedef struct dtb_reservoir dtb_reservoir;

/* An echo-state network on the atlas' weights (the atlas is copied). */
DTB_API dtb_status dtb_reservoir_create(dtb_reservoir **out, const dtb_atlas *atlas);
/* A simulation as the reservoir: the experiment (copied) with the input
 * into `into` (a state variable, parameter or input of its model) times
 * `scale`, and the readout from `observe` (an observer spec of dtb run's
 * --observe vocabulary, "tavg:vars=S_e"), one task step per `period`
 * seconds. */
DTB_API dtb_status dtb_reservoir_create_sim(dtb_reservoir **out, const dtb_experiment *exp,
                                            const char *into, double scale, const char *observe,
                                            double period);
DTB_API void dtb_reservoir_free(dtb_reservoir *res);

/* "tanh" (default), "identity" or "sigmoid" (echo-state networks). */
DTB_API dtb_status dtb_reservoir_set_activation(dtb_reservoir *res, const char *name);
/* Region lists (indices, label globs, lobe:GLOB, gyrus:GLOB,
 * hemisphere:left|right, joined by '+'); NULL: input the first region,
 * output every region but the inputs. */
DTB_API dtb_status dtb_reservoir_set_regions(dtb_reservoir *res, const char *input,
                                             const char *output);
/* A built-in task (above) of `steps` steps (0: its default; at least 200)
 * and, for memory capacity, the largest delay (0: twice the output
 * regions, at most 400). */
DTB_API dtb_status dtb_reservoir_set_task(dtb_reservoir *res, const char *name, int64_t steps,
                                          int64_t delays);
/* The caller's task: u (T x C, row-major), targets y (T x Q). n_classes 0:
 * regression; else classification, y one column of class indices 0 ..
 * n_classes - 1 (-1: no decision at that step). Copied. */
DTB_API dtb_status dtb_reservoir_set_task_data(dtb_reservoir *res, const double *u, size_t T,
                                               size_t C, const double *y, size_t Q,
                                               int32_t n_classes);
/* "ridge" (default) or "logistic" (classification tasks). */
DTB_API dtb_status dtb_reservoir_set_readout(dtb_reservoir *res, const char *kind);
/* Null connectomes to compare with: `count` nulls of `model`; null k is
 * dtb_atlas_rewire(atlas, model, seed of k) (default DTB_NULL_STRENGTH: it keeps
 * degrees and strengths, and exists for a connectome where every pair is
 * connected, which has no degree-preserving swap). */
DTB_API dtb_status dtb_reservoir_set_nulls(dtb_reservoir *res, dtb_null_model model, int64_t count);
/* The seed of the task and the nulls (default 42). */
DTB_API dtb_status dtb_reservoir_set_seed(dtb_reservoir *res, uint64_t seed);

/* The states for an input u (T x C): an echo-state network's T x regions,
 * a simulation's T x observer columns. network -1: the atlas, k >= 0: its
 * null k. Two-call idiom (needed = T x columns). */
DTB_API dtb_status dtb_reservoir_states(dtb_reservoir *res, double alpha, int64_t network,
                                        const double *u, size_t T, size_t C, double *buf,
                                        size_t capacity, size_t *needed_out);
/* The task score of one network at one alpha. readout_path (may be NULL):
 * write the fitted readout there (dtb_readout_predict reads it). */
DTB_API dtb_status dtb_reservoir_score(dtb_reservoir *res, double alpha, int64_t network,
                                       const char *readout_path, double *score_out);
/* Every alpha x (the atlas and its nulls). With opts->out_dir:
 * reservoir.csv (alpha, network: "empirical" or the null's number, score;
 * a row per pair as it finishes), reservoir.svg (the atlas' curve over the
 * nulls' 5-95 % band), experiment settings and provenance; a folder of the
 * same settings is resumed. */
DTB_API dtb_status dtb_reservoir_run(dtb_reservoir *res, const double *alphas, size_t n_alphas,
                                     const dtb_explore_options *opts);
DTB_API void dtb_reservoir_request_stop(dtb_reservoir *res);
/* After a run: a score (NaN: not run or failed), and where the atlas
 * stands among its nulls at alpha i: the percentage of nulls scoring below
 * it (ties count half; NaN without nulls). */
DTB_API double dtb_reservoir_result(const dtb_reservoir *res, size_t alpha_index, int64_t network);
DTB_API double dtb_reservoir_percentile(const dtb_reservoir *res, size_t alpha_index);

/* Apply a readout saved by dtb_reservoir_score to states (T x features):
 * out T x targets (two-call idiom). */
DTB_API dtb_status dtb_readout_predict(const char *path, const double *states, size_t T,
                                       size_t n_features, double *buf, size_t capacity,
                                       size_t *needed_out);

DTB_END_DECLS

#endif /* DTB_RESERVOIR_H */
