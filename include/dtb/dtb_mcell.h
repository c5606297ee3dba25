/* libdtb — multi-compartment cells: a NeuroML2 <cell> (morphology, HH
 * channel densities, capacitance, axial resistivity) discretised as NEURON
 * does it and run with NEURON's fixed-step backward Euler (or
 * Crank-Nicolson) on a Hines tree solver; current clamps at segments; the voltage of any segment and the
 * state of any gate recorded. dtb-mcell(5) gives the file subset read and
 * what is refused; dtb_mcell(3) the numerics.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   dtb_mcell *c;
 *   int64_t soma_v;
 *   dtb_mcell_load(&c, "cell.nml", "bs_cell");            // NULL: the file's only <cell>
 *   dtb_mcell_set_nseg(c, 9);                               // 0: the d_lambda rule
 *   dtb_mcell_add_current_clamp(c, 0, 0.5, 100, 100, 0.2);  // segment 0's middle, ms, nA
 *   dtb_mcell_add_recording(c, 0, 0.5, "v", &soma_v);       // or "DENSITY_ID/GATE_ID"
 *   dtb_mcell_run(c, 300, 0.025);                           // ms
 *   dtb_mcell_trace(c, soma_v, buf, capacity, &needed);
 *   dtb_mcell_free(c);
 *
 * Units are NEURON's: ms, mV, nA. Segments are named by their NeuroML id;
 * a place on a segment by its fraction x in [0, 1] from the proximal end,
 * and means NEURON's sec(x) (the compartment holding x; 0 and 1 are the
 * section's ends). */
#ifndef DTB_MCELL_H
#define DTB_MCELL_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef struct dtb_mcell dtb_mcell;

/* Read cell `cell_id` (NULL: the file's only <cell>) of a NeuroML2 file and
 * the ion channels of the files it <include>s, and check it whole: a
 * missing parent, a cycle, a zero-length segment, a density on an unknown
 * group or channel, an unknown element are refused naming the file, line
 * and element (DTB_EPARSE, DTB_ENOTFOUND; DTB_EUNSUPPORTED for NeuroML
 * elements libdtb does not simulate). *out is NULL on failure. */
DTB_API dtb_status dtb_mcell_load(dtb_mcell **out, const char *path, const char *cell_id);
/* NULL is accepted. */
DTB_API void dtb_mcell_free(dtb_mcell *cell);

/* The number of segments (-1 for NULL). */
DTB_API int64_t dtb_mcell_segment_count(const dtb_mcell *cell);
/* The compartments of every section: nseg each (nseg >= 1, at most
 * 100000), or 0 for the d_lambda rule of NEURON's fixnseg.hoc (the
 * default): an odd nseg with compartments no longer than 0.1 of the AC
 * length constant at 100 Hz. */
DTB_API dtb_status dtb_mcell_set_nseg(dtb_mcell *cell, int64_t nseg);
/* dtb_mcell_set_method() methods: NEURON's fixed steps. */
#define DTB_MCELL_METHOD_BACKWARD_EULER 0u   /* secondorder=0, the default */
#define DTB_MCELL_METHOD_CRANK_NICOLSON 1u   /* secondorder=2: second order in v, the gates
                                                staggered half a step */
DTB_API dtb_status dtb_mcell_set_method(dtb_mcell *cell, uint32_t method);
/* The temperature (degC) of the q10ExpTemp settings of the gates. Without
 * one, the file's first <network temperature=...>; a run that needs a
 * temperature and has none is refused (DTB_ESTATE). */
DTB_API dtb_status dtb_mcell_set_temperature(dtb_mcell *cell, double celsius);
/* Compartments with membrane, over all sections (-1 for NULL). */
DTB_API int64_t dtb_mcell_compartment_count(const dtb_mcell *cell);

/* A rectangular current pulse (NeuroML's pulseGenerator, NEURON's IClamp)
 * into segment `segment` (NeuroML id) at fraction x: amplitude nA (positive
 * depolarises) from delay for duration ms. */
DTB_API dtb_status dtb_mcell_add_current_clamp(dtb_mcell *cell, int64_t segment, double x,
                                               double delay, double duration, double amplitude);
/* Record at segment `segment`, fraction x: "v" (mV), or a gate's state
 * "DENSITY/GATE" (the channelDensity id and the gate id, e.g. "naChans/m").
 * *index_out (may be NULL) receives the recording's number, from 0. */
DTB_API dtb_status dtb_mcell_add_recording(dtb_mcell *cell, int64_t segment, double x,
                                           const char *variable, int64_t *index_out);

/* Run from rest (initMembPotential, gates at steady state) for duration
 * ms in steps of dt ms, replacing the traces of an earlier run.
 * DTB_ENUMERIC when the potential becomes non-finite. */
DTB_API dtb_status dtb_mcell_run(dtb_mcell *cell, double duration, double dt);
/* Samples per trace of the last run: steps + 1, t = 0 first (0 before a
 * run; -1 for NULL). */
DTB_API int64_t dtb_mcell_trace_length(const dtb_mcell *cell);
/* A recording's trace (two-call idiom: *needed_out receives the length). */
DTB_API dtb_status dtb_mcell_trace(const dtb_mcell *cell, int64_t recording, double *buf,
                                   size_t capacity, size_t *needed_out);

/* The spikes of the last run: the times (ms) at which the middle of the
 * root segment (the soma) reached the cell's spikeThresh (0 mV without
 * one) from below, each the time of the first step at or above it (as
 * NEURON's NetCon in fixed steps). Two-call idiom; none before a run. */
DTB_API dtb_status dtb_mcell_spike_times(const dtb_mcell *cell, double *buf, size_t capacity,
                                         size_t *needed_out);

DTB_END_DECLS

#endif /* DTB_MCELL_H */
