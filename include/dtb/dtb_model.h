/* libdtb — models: compiled region-model descriptors.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dtb_model is a model descriptor (LEMS ComponentType + Dynamics, with a
 * small libdtb <RegionModel> element naming coupling variables, variables of
 * interest, bounds and time scale) read from XML. Built-in models are XML
 * compiled into the library. See dtb-model(5) for the descriptor format.
 *
 * Parameter values are in the parameter's own unit (dtb_model_param_unit):
 * models that come from TVB use TVB's units, so TVB numbers paste unchanged.
 * dtb_model_set_param_string() also accepts a unit suffix ("10ms", "-65mV").
 *
 * A simulation copies the model's parameter values when it is created;
 * changing the model afterwards does not affect existing simulations.
 */
#ifndef DTB_MODEL_H
#define DTB_MODEL_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef struct dtb_model dtb_model;

#define DTB_MODEL_LOAD_OPTIONS_VERSION 1

typedef struct dtb_model_load_options {
    uint32_t version;              /* DTB_MODEL_LOAD_OPTIONS_VERSION */
    uint32_t flags;                /* reserved, must be 0 */
    /* Name of the <RegionModel> to use when a document defines several
     * (NULL: the only one, or the first); or of a plain ComponentType or
     * Component, for which a region model is synthesized: its
     * Requirements are the coupling inputs, fed by the state variables of
     * its Exposures in the same order (dtb-model(5)). */
    const char *model_name;
    /* Extra folders searched for <Include file=...> after the including
     * file's folder: an array of n_include_dirs paths (may be NULL). */
    const char *const *include_dirs;
    size_t n_include_dirs;
} dtb_model_load_options;

#define DTB_MODEL_LOAD_OPTIONS_INIT { DTB_MODEL_LOAD_OPTIONS_VERSION, 0, NULL, NULL, 0 }

DTB_API dtb_status dtb_model_load_options_init(dtb_model_load_options *opts, uint32_t version);

/* Built-in models by snake_case name ("generic_2d_oscillator"). */
DTB_API dtb_status dtb_model_create_builtin(dtb_model **out, const char *name);
DTB_API int64_t dtb_model_builtin_count(void);
DTB_API const char *dtb_model_builtin_name(int64_t index);

/* Load a model descriptor from a file or from a string (xml of length len;
 * `source_name` is used in error messages and to resolve relative includes,
 * may be NULL). opts may be NULL. Errors name file, line and element. */
DTB_API dtb_status dtb_model_load_file(dtb_model **out, const char *path,
                                       const dtb_model_load_options *opts);
DTB_API dtb_status dtb_model_load_string(dtb_model **out, const char *xml, size_t len,
                                         const char *source_name,
                                         const dtb_model_load_options *opts);

/* Built-in model name, or a file path: the one call the CLI uses. A path
 * may end in "#NAME" to name the RegionModel, ComponentType or Component
 * (as opts->model_name does). */
DTB_API dtb_status dtb_model_load(dtb_model **out, const char *name_or_path,
                                  const dtb_model_load_options *opts);

DTB_API dtb_status dtb_model_clone(dtb_model **out, const dtb_model *model);
DTB_API void dtb_model_free(dtb_model *model);

/* Descriptive strings (borrowed, valid while the model lives, "" if absent). */
DTB_API const char *dtb_model_name(const dtb_model *model);
DTB_API const char *dtb_model_description(const dtb_model *model);
DTB_API const char *dtb_model_reference(const dtb_model *model);

/* Seconds per unit of the model's own time (1e-3 for TVB models, whose
 * equations are written per millisecond; 1 for SI models). */
DTB_API double dtb_model_time_scale(const dtb_model *model);

/* Parameters. Index-based getters return NULL / NaN for a bad index. */
DTB_API int64_t dtb_model_param_count(const dtb_model *model);
DTB_API const char *dtb_model_param_name(const dtb_model *model, int64_t index);
DTB_API const char *dtb_model_param_unit(const dtb_model *model, int64_t index);
DTB_API const char *dtb_model_param_description(const dtb_model *model, int64_t index);
DTB_API dtb_status dtb_model_find_param(const dtb_model *model, const char *name,
                                        int64_t *index_out);
DTB_API dtb_status dtb_model_get_param(const dtb_model *model, const char *name,
                                       double *value_out);
/* Set a parameter (in its own unit). Must be finite. */
DTB_API dtb_status dtb_model_set_param(dtb_model *model, const char *name, double value);
/* Set a parameter from text with an optional unit suffix ("10ms", "0.5"). */
DTB_API dtb_status dtb_model_set_param_string(dtb_model *model, const char *name,
                                              const char *value);

/* State variables, in the order used by every state buffer. */
DTB_API int64_t dtb_model_state_count(const dtb_model *model);
DTB_API const char *dtb_model_state_name(const dtb_model *model, int64_t index);
DTB_API dtb_status dtb_model_find_state(const dtb_model *model, const char *name,
                                        int64_t *index_out);
/* Hard bounds the integrator clips to (-inf/+inf where none). */
DTB_API dtb_status dtb_model_state_bounds(const dtb_model *model, int64_t index,
                                          double *lo_out, double *hi_out);
/* Range from which default initial values are drawn uniformly. */
DTB_API dtb_status dtb_model_state_range(const dtb_model *model, int64_t index,
                                         double *lo_out, double *hi_out);

/* Coupling variables: state variables whose delayed values are exchanged
 * between regions; coupling variable i arrives in the model as the input
 * named dtb_model_coupling_input(model, i). */
DTB_API int64_t dtb_model_coupling_count(const dtb_model *model);
DTB_API int64_t dtb_model_coupling_state(const dtb_model *model, int64_t index);
DTB_API const char *dtb_model_coupling_input(const dtb_model *model, int64_t index);

/* The coupling function the model was published with, as its descriptor
 * states it (<DefaultCoupling kind="linear" a="1"/>, dtb-model(5)): a
 * dtb_coupling_kind (dtb_sim.h), 0 when the descriptor states none, -1 for
 * a NULL model. A simulation of the model starts with this coupling and
 * these parameter values unless its options choose another kind, and
 * dtb_sim_set_coupling() to this kind starts from them again; parameters the
 * descriptor does not state, and every other kind, keep TVB's defaults
 * (linear a = 1/256). Which the simulation used is the first entry of its
 * provenance. The built-in reduced Wong-Wang E-I models state linear a = 1
 * (their own G is the global coupling gain, as in Deco et al. 2014). */
DTB_API int32_t dtb_model_default_coupling(const dtb_model *model);
/* The parameters the descriptor states (names borrowed from the model);
 * count -1 for a NULL model, name NULL for a bad index. */
DTB_API int64_t dtb_model_default_coupling_param_count(const dtb_model *model);
DTB_API const char *dtb_model_default_coupling_param_name(const dtb_model *model, int64_t index);
/* The stated value of one parameter; DTB_ENOTFOUND (value_out untouched)
 * when the descriptor states no value for `name`. */
DTB_API dtb_status dtb_model_get_default_coupling_param(const dtb_model *model, const char *name,
                                                        double *value_out);

/* Derived variables (the model's DerivedVariables, in dependency order):
 * observers can record them like state variables. */
DTB_API int64_t dtb_model_derived_count(const dtb_model *model);
DTB_API const char *dtb_model_derived_name(const dtb_model *model, int64_t index);

/* Exposures: the names the ComponentType exposes (LEMS Exposure
 * elements, inherited ones first), borrowed; NULL for a bad index. */
DTB_API int64_t dtb_model_exposure_count(const dtb_model *model);
DTB_API const char *dtb_model_exposure_name(const dtb_model *model, int64_t index);

/* Variables of interest: what observers record by default. Each is a state
 * variable or a derived variable; dtb_model_voi_state() gives the state
 * index, or -1 for a derived variable. */
DTB_API int64_t dtb_model_voi_count(const dtb_model *model);
DTB_API int64_t dtb_model_voi_state(const dtb_model *model, int64_t index);
DTB_API const char *dtb_model_voi_name(const dtb_model *model, int64_t index);

DTB_END_DECLS

#endif /* DTB_MODEL_H */
