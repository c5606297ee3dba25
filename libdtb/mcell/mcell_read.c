/* libdtb — a NeuroML2 <cell> read into a description (mcell.h): its
 * morphology, its biophysical properties and the HH ion channels of its
 * file and the files that file <include>s.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is refused, and why, is in dtb-mcell(5). Elements libdtb knows but
 * does not simulate (Nernst and GHK densities, calcium pools, kinetic
 * schemes, q10 settings...) are refused as unsupported rather than
 * ignored, so a cell never runs without a part of its file. */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "io/xml_read.h"
#include "mcell.h"
#include "mcell_lems_rate.h"
#include "mcell_xml.h"

/* The deepest chain of <include>s followed (a file including itself is
 * caught by this too). */
#define MAX_INCLUDE_DEPTH 8

/* The most files read for one cell (the file and what it includes). */
#define MAX_FILES 64

typedef struct reader {
    dtb__mc_desc *d;
    xmlDocPtr docs[MAX_FILES];
    char *names[MAX_FILES];
    size_t n_docs;
    size_t depth;                /* of <include>s, at the file being read */
    /* Gathered from every file before any is used: a channel may name a
     * rate type defined after it or in another file. */
    dtb__mc_rate_type *types;
    size_t n_types;
    xmlNodePtr *channel_nodes;
    const char **channel_files;
    size_t n_channel_nodes;
} reader;

/* Elements with no effect on a simulation, skipped wherever they are. */
static int is_annotation(xmlNodePtr n)
{
    return dtb__mc_is(n, "notes") || dtb__mc_is(n, "annotation") || dtb__mc_is(n, "property");
}

/* NeuroML2 elements of a cell that libdtb does not simulate: refused by
 * name, so the user knows it is a gap and not a typo. */
static int is_known_unsupported(xmlNodePtr n)
{
    static const char *const names[] = {
        "channelDensityNernst", "channelDensityNernstCa2", "channelDensityGHK", "channelDensityGHK2",
        "channelDensityVShift", "channelDensityNonUniform", "channelDensityNonUniformNernst",
        "channelDensityNonUniformGHK", "channelPopulation", "species", "concentrationModel",
        "decayingPoolConcentrationModel", "fixedFactorConcentrationModel",
        "gateHHratesTauInf", "gateKS",
        "gateFractional", "gateHHInstantaneous", "extracellularProperties", "inhomogeneousParameter",
        NULL};
    for (size_t i = 0; names[i]; i++)
        if (dtb__mc_is(n, names[i]))
            return 1;
    return 0;
}

static dtb_status refuse(const char *file, xmlNodePtr n, const char *where)
{
    if (is_known_unsupported(n))
        return dtb__mc_error_at(DTB_EUNSUPPORTED, file, n,
                                "not supported in multi-compartment cells (dtb-mcell(5))");
    return dtb__mc_error_at(DTB_EPARSE, file, n, "unknown element in <%s>", where);
}

static dtb_status grow(void **array, size_t n, size_t size)
{
    void *p = dtb__realloc_array(*array, n + 1, size);
    if (!p)
        return DTB_ENOMEM;
    *array = p;
    memset((char *)p + n * size, 0, size);
    return DTB_OK;
}

/* ---- ion channels ---- */

/* The standard forms of each role (Channels.xml). */
typedef struct standard_form {
    const char *type;
    int role;                    /* 'r' rate, 'x' steady state, 't' time course */
    dtb__mc_rate_form form;
} standard_form;

static const standard_form standard_forms[] = {
    {"HHExpRate", 'r', DTB__MC_RATE_EXP},          {"HHSigmoidRate", 'r', DTB__MC_RATE_SIGMOID},
    {"HHExpLinearRate", 'r', DTB__MC_RATE_EXPLINEAR}, {"HHExpVariable", 'x', DTB__MC_RATE_EXP},
    {"HHSigmoidVariable", 'x', DTB__MC_RATE_SIGMOID}, {"HHExpLinearVariable", 'x', DTB__MC_RATE_EXPLINEAR},
    {"fixedTimeCourse", 't', DTB__MC_TIME_FIXED}};

/* forwardRate, reverseRate ('r'), steadyState ('x'), timeCourse ('t'). */
static dtb_status read_rate(reader *rd, const char *file, xmlNodePtr n, int role, dtb__mc_rate *r)
{
    int oom = 0;
    char *type = dtb__mc_attr(n, "type", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!type)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'type'");
    const standard_form *f = NULL;
    for (size_t k = 0; k < sizeof standard_forms / sizeof standard_forms[0]; k++)
        if (standard_forms[k].role == role && strcmp(standard_forms[k].type, type) == 0)
            f = &standard_forms[k];
    dtb_status st = DTB_OK;
    if (!f) {
        size_t k = 0;
        while (k < rd->n_types && (strcmp(rd->types[k].name, type) != 0 ||
                                   dtb__mc_rate_type_role(rd->types[k].node) != role))
            k++;
        if (k == rd->n_types)
            st = dtb__mc_error_at(DTB_EUNSUPPORTED, file, n,
                                  "%s type '%s': neither a standard form (dtb-mcell(5)) nor a "
                                  "ComponentType of the files extending %s", (const char *)n->name,
                                  type, role == 'r' ? "baseVoltageDepRate or baseHHRate"
                                        : role == 'x' ? "baseVoltageDepVariable or baseHHVariable"
                                                      : "baseVoltageDepTime");
        else {
            r->form = DTB__MC_RATE_LEMS;
            r->lems_to_layer = role == 'r' ? 1e-3 : role == 't' ? 1e3 : 1;
            st = dtb__mc_lems_rate_compile(&rd->types[k], file, n, &r->lems);
        }
        free(type);
        return st;
    }
    free(type);
    r->form = f->form;
    if (f->form == DTB__MC_TIME_FIXED) {
        double tau_s = 0;
        st = dtb__mc_quantity(file, n, "tau", DTB__MC_TIME, 1, &tau_s);
        r->rate = tau_s;
        if (!st && !(r->rate > 0))
            st = dtb__mc_error_at(DTB_EPARSE, file, n, "tau must be positive");
        return st;
    }
    if (role == 'x')
        st = dtb__mc_number(file, n, "rate", 1, &r->rate);
    else
        st = dtb__mc_quantity(file, n, "rate", DTB__MC_PER_TIME, 1, &r->rate);
    if (!st)
        st = dtb__mc_quantity(file, n, "midpoint", DTB__MC_VOLTAGE, 1, &r->midpoint);
    if (!st)
        st = dtb__mc_quantity(file, n, "scale", DTB__MC_VOLTAGE, 1, &r->scale);
    if (!st && r->scale == 0)
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "scale must not be 0");
    return st;
}

/* <q10Settings type="q10ExpTemp" q10Factor experimentalTemp> or
 * type="q10Fixed" fixedQ10. */
static dtb_status read_q10(const char *file, xmlNodePtr n, dtb__mc_gate *g)
{
    if (grow((void **)&g->q10, g->n_q10, sizeof *g->q10))
        return DTB_ENOMEM;
    dtb__mc_q10 *q = &g->q10[g->n_q10++];
    q->line = (int)xmlGetLineNo(n);
    int oom = 0;
    char *type = dtb__mc_attr(n, "type", &oom);
    if (oom)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    if (type && strcmp(type, "q10ExpTemp") == 0) {
        q->depends_on_temperature = 1;
        st = dtb__mc_number(file, n, "q10Factor", 1, &q->factor);
        if (!st)
            st = dtb__mc_quantity(file, n, "experimentalTemp", DTB__MC_TEMPERATURE, 1, &q->exp_temp);
        if (!st && !(q->factor > 0))
            st = dtb__mc_error_at(DTB_EPARSE, file, n, "q10Factor must be positive");
    } else if (type && strcmp(type, "q10Fixed") == 0) {
        st = dtb__mc_number(file, n, "fixedQ10", 1, &q->fixed);
        if (!st && !(q->fixed > 0))
            st = dtb__mc_error_at(DTB_EPARSE, file, n, "fixedQ10 must be positive");
    } else {
        st = dtb__mc_error_at(DTB_EUNSUPPORTED, file, n, "type '%s': only q10ExpTemp and q10Fixed "
                              "are supported", type ? type : "");
    }
    free(type);
    return st;
}

/* The HH gates by element (or <gate type=...>) name. */
static int gate_kind(const char *name, dtb__mc_gate_kind *kind)
{
    static const struct {
        const char *name;
        dtb__mc_gate_kind kind;
    } kinds[] = {{"gateHHrates", DTB__MC_GATE_RATES}, {"gateHHratesInf", DTB__MC_GATE_RATES_INF},
                 {"gateHHratesTau", DTB__MC_GATE_RATES_TAU}, {"gateHHtauInf", DTB__MC_GATE_TAU_INF}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].name, name) == 0) {
            *kind = kinds[k].kind;
            return 1;
        }
    return 0;
}

static dtb_status read_gate(reader *rd, const char *file, xmlNodePtr n, dtb__mc_gate_kind kind,
                            dtb__mc_gate *g)
{
    g->kind = kind;
    int oom = 0;
    g->id = dtb__mc_attr(n, "id", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!g->id)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'id'");
    double instances = 1;
    dtb_status st = dtb__mc_number(file, n, "instances", 1, &instances);
    if (st)
        return st;
    if (instances < 1 || instances > 16 || instances != (int)instances)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "instances must be a whole number in 1..16");
    g->instances = (int)instances;
    int want_rates = kind != DTB__MC_GATE_TAU_INF;
    int want_steady = kind == DTB__MC_GATE_RATES_INF || kind == DTB__MC_GATE_TAU_INF;
    int want_course = kind == DTB__MC_GATE_RATES_TAU || kind == DTB__MC_GATE_TAU_INF;
    int have_forward = 0, have_reverse = 0, have_steady = 0, have_course = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        if (dtb__mc_is(c, "forwardRate") && want_rates && !have_forward) {
            have_forward = 1;
            st = read_rate(rd, file, c, 'r', &g->forward);
        } else if (dtb__mc_is(c, "reverseRate") && want_rates && !have_reverse) {
            have_reverse = 1;
            st = read_rate(rd, file, c, 'r', &g->reverse);
        } else if (dtb__mc_is(c, "steadyState") && want_steady && !have_steady) {
            have_steady = 1;
            st = read_rate(rd, file, c, 'x', &g->steady);
        } else if (dtb__mc_is(c, "timeCourse") && want_course && !have_course) {
            have_course = 1;
            st = read_rate(rd, file, c, 't', &g->time_course);
        } else if (dtb__mc_is(c, "q10Settings")) {
            st = read_q10(file, c, g);
        } else {
            st = refuse(file, c, (const char *)n->name);
        }
        if (st)
            return st;
    }
    if (want_rates && (!have_forward || !have_reverse))
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs a <forwardRate> and a <reverseRate>");
    if (want_steady && !have_steady)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs a <steadyState>");
    if (want_course && !have_course)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs a <timeCourse>");
    return DTB_OK;
}

/* <ionChannelHH>, <ionChannel> (type ionChannelHH or ionChannelPassive, or
 * none) or <ionChannelPassive>. */
static dtb_status read_channel(reader *r, const char *file, xmlNodePtr n)
{
    dtb__mc_desc *d = r->d;
    int oom = 0;
    char *type = dtb__mc_attr(n, "type", &oom);
    int bad_type = type && strcmp(type, "ionChannelHH") != 0 && strcmp(type, "ionChannelPassive") != 0;
    free(type);
    if (oom)
        return DTB_ENOMEM;
    if (bad_type)
        return dtb__mc_error_at(DTB_EUNSUPPORTED, file, n,
                                "only HH ion channels (ionChannelHH, ionChannelPassive) are supported");
    if (grow((void **)&d->channels, d->n_channels, sizeof *d->channels))
        return DTB_ENOMEM;
    dtb__mc_channel *ch = &d->channels[d->n_channels++];
    ch->line = (int)xmlGetLineNo(n);
    ch->id = dtb__mc_attr(n, "id", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!ch->id)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'id'");
    for (size_t i = 0; i + 1 < d->n_channels; i++)
        if (strcmp(d->channels[i].id, ch->id) == 0)
            return dtb__mc_error_at(DTB_EPARSE, file, n, "a second ion channel '%s' (the first "
                                    "at line %d)", ch->id, d->channels[i].line);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb__mc_gate_kind kind = DTB__MC_GATE_RATES;
        int is_gate = gate_kind((const char *)c->name, &kind);
        if (dtb__mc_is(c, "gate")) {
            char *gt = dtb__mc_attr(c, "type", &oom);
            is_gate = gt && gate_kind(gt, &kind);
            free(gt);
            if (oom)
                return DTB_ENOMEM;
            if (!is_gate)
                return dtb__mc_error_at(DTB_EUNSUPPORTED, file, c, "only gates of type "
                                        "gateHHrates, gateHHratesInf, gateHHratesTau and "
                                        "gateHHtauInf are supported");
        }
        if (!is_gate)
            return refuse(file, c, (const char *)n->name);
        if (grow((void **)&ch->gates, ch->n_gates, sizeof *ch->gates))
            return DTB_ENOMEM;
        dtb_status st = read_gate(r, file, c, kind, &ch->gates[ch->n_gates++]);
        if (st)
            return st;
    }
    return DTB_OK;
}

/* ---- morphology ---- */

static dtb_status read_point(const char *file, xmlNodePtr n, dtb__mc_point *p)
{
    dtb_status st = dtb__mc_number(file, n, "x", 1, &p->x);
    if (!st)
        st = dtb__mc_number(file, n, "y", 1, &p->y);
    if (!st)
        st = dtb__mc_number(file, n, "z", 1, &p->z);
    if (!st)
        st = dtb__mc_number(file, n, "diameter", 1, &p->d);
    if (!st && !(p->d > 0))
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "diameter must be positive");
    return st;
}

static dtb_status read_id(const char *file, xmlNodePtr n, const char *attr, int64_t *out)
{
    int oom = 0;
    char *text = dtb__mc_attr(n, attr, &oom);
    if (oom)
        return DTB_ENOMEM;
    int ok = text && dtb__parse_int64(text, out) && *out >= 0;
    dtb_status st = ok ? DTB_OK
                       : dtb__mc_error_at(DTB_EPARSE, file, n, "%s='%s' is not a segment id "
                                          "(a whole number >= 0)", attr, text ? text : "");
    free(text);
    return st;
}

static dtb_status read_segment(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    if (grow((void **)&d->segments, d->n_segments, sizeof *d->segments))
        return DTB_ENOMEM;
    dtb__mc_segment *s = &d->segments[d->n_segments++];
    s->line = (int)xmlGetLineNo(n);
    s->parent_id = -1;
    s->parent = -1;
    s->fraction = 1;
    int oom = 0;
    s->name = dtb__mc_attr(n, "name", &oom);
    if (oom)
        return DTB_ENOMEM;
    dtb_status st = read_id(file, n, "id", &s->id);
    if (st)
        return st;
    for (size_t i = 0; i + 1 < d->n_segments; i++)
        if (d->segments[i].id == s->id)
            return dtb__mc_error_at(DTB_EPARSE, file, n, "a second segment %lld (the first at "
                                    "line %d)", (long long)s->id, d->segments[i].line);
    int have_distal = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        if (dtb__mc_is(c, "parent") && s->parent_id < 0) {
            st = read_id(file, c, "segment", &s->parent_id);
            if (!st)
                st = dtb__mc_number(file, c, "fractionAlong", 0, &s->fraction);
            if (!st && !(s->fraction >= 0 && s->fraction <= 1))
                st = dtb__mc_error_at(DTB_EPARSE, file, c, "fractionAlong must be in [0, 1]");
        } else if (dtb__mc_is(c, "proximal") && !s->has_proximal) {
            s->has_proximal = 1;
            st = read_point(file, c, &s->proximal);
        } else if (dtb__mc_is(c, "distal") && !have_distal) {
            have_distal = 1;
            st = read_point(file, c, &s->distal);
        } else {
            st = refuse(file, c, "segment");
        }
        if (st)
            return st;
    }
    if (!have_distal)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs a <distal> point");
    if (!s->has_proximal && s->parent_id < 0)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "a segment without a parent needs a <proximal> point");
    return DTB_OK;
}

static dtb_status add_path(dtb__mc_group *g, int kind, int64_t from, int64_t to, int line)
{
    if (grow((void **)&g->paths, g->n_paths, sizeof *g->paths) ||
        grow((void **)&g->path_kinds, g->n_paths, sizeof *g->path_kinds) ||
        grow((void **)&g->path_lines, g->n_paths, sizeof *g->path_lines))
        return DTB_ENOMEM;
    g->paths[g->n_paths][0] = from;
    g->paths[g->n_paths][1] = to;
    g->path_kinds[g->n_paths] = kind;
    g->path_lines[g->n_paths] = line;
    g->n_paths++;
    return DTB_OK;
}

/* <path> or <subTree>: their <from segment=..>/<to segment=..>. */
static dtb_status read_path(dtb__mc_group *g, const char *file, xmlNodePtr n, int subtree)
{
    int64_t from = -1, to = -1;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb_status st;
        if (dtb__mc_is(c, "from"))
            st = read_id(file, c, "segment", &from);
        else if (dtb__mc_is(c, "to"))
            st = read_id(file, c, "segment", &to);
        else
            st = refuse(file, c, (const char *)n->name);
        if (st)
            return st;
    }
    int line = (int)xmlGetLineNo(n);
    if (!subtree) {
        if (from < 0 || to < 0)
            return dtb__mc_error_at(DTB_EPARSE, file, n, "needs <from> and <to>");
        return add_path(g, 0, from, to, line);
    }
    if ((from < 0) == (to < 0))
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs one of <from> and <to>");
    return from >= 0 ? add_path(g, 1, from, -1, line) : add_path(g, 2, to, -1, line);
}

static dtb_status read_group(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    if (grow((void **)&d->groups, d->n_groups, sizeof *d->groups))
        return DTB_ENOMEM;
    dtb__mc_group *g = &d->groups[d->n_groups++];
    g->line = (int)xmlGetLineNo(n);
    int oom = 0;
    g->id = dtb__mc_attr(n, "id", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!g->id)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'id'");
    for (size_t i = 0; i + 1 < d->n_groups; i++)
        if (strcmp(d->groups[i].id, g->id) == 0)
            return dtb__mc_error_at(DTB_EPARSE, file, n, "a second segment group '%s' (the "
                                    "first at line %d)", g->id, d->groups[i].line);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb_status st = DTB_OK;
        if (dtb__mc_is(c, "member")) {
            int64_t id;
            st = read_id(file, c, "segment", &id);
            if (!st && grow((void **)&g->member_ids, g->n_member_ids, sizeof *g->member_ids))
                st = DTB_ENOMEM;
            if (!st)
                g->member_ids[g->n_member_ids++] = id;
        } else if (dtb__mc_is(c, "include")) {
            char *name = dtb__mc_attr(c, "segmentGroup", &oom);
            if (oom)
                return DTB_ENOMEM;
            if (!name)
                return dtb__mc_error_at(DTB_EPARSE, file, c, "needs the attribute 'segmentGroup'");
            if (grow((void **)&g->includes, g->n_includes, sizeof *g->includes) ||
                grow((void **)&g->include_lines, g->n_includes, sizeof *g->include_lines)) {
                free(name);
                return DTB_ENOMEM;
            }
            g->include_lines[g->n_includes] = (int)xmlGetLineNo(c);
            g->includes[g->n_includes++] = name;
        } else if (dtb__mc_is(c, "path")) {
            st = read_path(g, file, c, 0);
        } else if (dtb__mc_is(c, "subTree")) {
            st = read_path(g, file, c, 1);
        } else {
            st = refuse(file, c, "segmentGroup");
        }
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status read_morphology(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb_status st;
        if (dtb__mc_is(c, "segment"))
            st = read_segment(d, file, c);
        else if (dtb__mc_is(c, "segmentGroup"))
            st = read_group(d, file, c);
        else
            st = refuse(file, c, "morphology");
        if (st)
            return st;
    }
    if (d->n_segments == 0)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "has no <segment>");
    return DTB_OK;
}

/* ---- biophysical properties ---- */

/* A group of one segment, for an element's segment attribute: named
 * "segment N" (a name no NeuroML id can have), made once. */
static dtb_status segment_group(dtb__mc_desc *d, const char *file, xmlNodePtr n, size_t *out)
{
    int oom = 0;
    char *text = dtb__mc_attr(n, "segment", &oom);
    if (oom)
        return DTB_ENOMEM;
    int64_t id = -1;
    int ok = text && dtb__parse_int64(text, &id) && id >= 0;
    int64_t s = ok ? dtb__mc_segment_find(d, id) : -1;
    dtb_status st = DTB_OK;
    if (s < 0)
        st = dtb__mc_error_at(DTB_ENOTFOUND, file, n, "segment='%s' is not a segment of the "
                              "morphology", text ? text : "");
    free(text);
    if (st)
        return st;
    char name[40];
    snprintf(name, sizeof name, "segment %lld", (long long)id);
    int64_t g = dtb__mc_group_find(d, name);
    if (g < 0) {
        if (grow((void **)&d->groups, d->n_groups, sizeof *d->groups))
            return DTB_ENOMEM;
        dtb__mc_group *grp = &d->groups[d->n_groups++];
        grp->line = (int)xmlGetLineNo(n);
        grp->resolved = 2;
        if (!(grp->id = dtb__strdup(name)) || !(grp->has = dtb__calloc(d->n_segments, 1)))
            return DTB_ENOMEM;
        grp->has[s] = 1;
        g = (int64_t)d->n_groups - 1;
    }
    *out = (size_t)g;
    return DTB_OK;
}

/* The group an element applies to: its segmentGroup attribute, or its
 * segment attribute, "all" without either. */
static dtb_status group_of(dtb__mc_desc *d, const char *file, xmlNodePtr n, size_t *out)
{
    int has_segment = xmlHasProp(n, (const xmlChar *)"segment") != NULL;
    int has_group = xmlHasProp(n, (const xmlChar *)"segmentGroup") != NULL;
    if (has_segment && has_group)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "has both 'segment' and 'segmentGroup'");
    if (has_segment)
        return segment_group(d, file, n, out);
    int oom = 0;
    char *name = dtb__mc_attr(n, "segmentGroup", &oom);
    if (oom)
        return DTB_ENOMEM;
    int64_t g = dtb__mc_group_find(d, name ? name : "all");
    dtb_status st = DTB_OK;
    if (g < 0)
        st = dtb__mc_error_at(DTB_ENOTFOUND, file, n, "segmentGroup '%s' is not a group of the "
                              "morphology", name);
    else
        *out = (size_t)g;
    free(name);
    return st;
}

static dtb_status read_density(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    if (grow((void **)&d->densities, d->n_densities, sizeof *d->densities))
        return DTB_ENOMEM;
    dtb__mc_density *k = &d->densities[d->n_densities++];
    k->line = (int)xmlGetLineNo(n);
    int oom = 0;
    k->id = dtb__mc_attr(n, "id", &oom);
    char *channel = dtb__mc_attr(n, "ionChannel", &oom);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !k->id)
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'id'");
    if (!st && !channel)
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute 'ionChannel'");
    if (!st) {
        size_t i = 0;
        while (i < d->n_channels && strcmp(d->channels[i].id, channel) != 0)
            i++;
        if (i == d->n_channels)
            st = dtb__mc_error_at(DTB_ENOTFOUND, file, n, "ionChannel '%s' is not an ion channel "
                                  "of the file or its includes", channel);
        k->channel = i;
    }
    free(channel);
    for (size_t i = 0; !st && i + 1 < d->n_densities; i++)
        if (strcmp(d->densities[i].id, k->id) == 0)
            st = dtb__mc_error_at(DTB_EPARSE, file, n, "a second channel density '%s'", k->id);
    if (!st)
        st = dtb__mc_quantity(file, n, "condDensity", DTB__MC_COND_DENSITY, 1, &k->gmax);
    if (!st && k->gmax < 0)
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "condDensity must not be negative");
    if (!st)
        st = dtb__mc_quantity(file, n, "erev", DTB__MC_VOLTAGE, 1, &k->erev);
    if (!st)
        st = group_of(d, file, n, &k->group);
    return st;
}

static dtb_status read_value_on(dtb__mc_desc *d, const char *file, xmlNodePtr n, dtb__mc_kind kind,
                                dtb__mc_value_on **list, size_t *count)
{
    if (grow((void **)list, *count, sizeof **list))
        return DTB_ENOMEM;
    dtb__mc_value_on *v = &(*list)[(*count)++];
    dtb_status st = dtb__mc_quantity(file, n, "value", kind, 1, &v->value);
    if (!st && !(v->value > 0))
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "value must be positive");
    if (!st)
        st = group_of(d, file, n, &v->group);
    return st;
}

static dtb_status read_membrane(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb_status st;
        if (dtb__mc_is(c, "channelDensity"))
            st = read_density(d, file, c);
        else if (dtb__mc_is(c, "specificCapacitance"))
            st = read_value_on(d, file, c, DTB__MC_SPEC_CAP, &d->cm, &d->n_cm);
        else if (dtb__mc_is(c, "initMembPotential"))
            st = dtb__mc_quantity(file, c, "value", DTB__MC_VOLTAGE, 1, &d->v_init);
        else if (dtb__mc_is(c, "spikeThresh"))
            st = dtb__mc_quantity(file, c, "value", DTB__MC_VOLTAGE, 1, &d->spike_thresh);
        else
            st = refuse(file, c, "membraneProperties");
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status read_biophysics(dtb__mc_desc *d, const char *file, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_annotation(c))
            continue;
        dtb_status st = DTB_OK;
        if (dtb__mc_is(c, "membraneProperties")) {
            st = read_membrane(d, file, c);
        } else if (dtb__mc_is(c, "intracellularProperties")) {
            for (xmlNodePtr r = c->children; !st && r; r = r->next) {
                if (r->type != XML_ELEMENT_NODE || is_annotation(r))
                    continue;
                if (dtb__mc_is(r, "resistivity"))
                    st = read_value_on(d, file, r, DTB__MC_RESISTIVITY, &d->ra, &d->n_ra);
                else
                    st = refuse(file, r, "intracellularProperties");
            }
        } else {
            st = refuse(file, c, "biophysicalProperties");
        }
        if (st)
            return st;
    }
    if (d->n_cm == 0)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs a <specificCapacitance>");
    if (d->n_ra == 0)
        return dtb__mc_error_at(DTB_EPARSE, file, n, "needs an <intracellularProperties> "
                                "<resistivity>");
    return DTB_OK;
}

/* ---- the document ---- */

static dtb_status read_file(reader *r, const char *path, xmlDocPtr *out)
{
    if (r->depth > MAX_INCLUDE_DEPTH)
        return dtb__error(DTB_EPARSE, "%s: more than %d nested <include>s (does it include "
                          "itself?)", path, MAX_INCLUDE_DEPTH);
    if (r->n_docs == MAX_FILES)
        return dtb__error(DTB_EUNSUPPORTED, "%s: more than %d files included", path, MAX_FILES);
    char *name = dtb__strdup(path);
    if (!name)
        return DTB_ENOMEM;
    xmlDocPtr doc = NULL;
    dtb_status st = dtb__xml_read(path, NULL, 0, "NeuroML file", 0, &doc);
    if (st) {
        free(name);
        return st;
    }
    r->docs[r->n_docs] = doc;
    r->names[r->n_docs++] = name;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!dtb__mc_is(root, "neuroml"))
        return dtb__mc_error_at(DTB_EPARSE, name, root, "the root element of a NeuroML2 file "
                                "must be <neuroml>");
    *out = doc;
    return DTB_OK;
}

/* The ion channels and rate ComponentTypes of a file and of what it
 * includes (an <include href> is looked for beside the including file). */
static dtb_status gather(reader *r, const char *path)
{
    xmlDocPtr doc = NULL;
    dtb_status st = read_file(r, path, &doc);
    if (st)
        return st;
    const char *file = r->names[r->n_docs - 1];
    for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; !st && c; c = c->next) {
        if (dtb__mc_is(c, "ionChannelHH") || dtb__mc_is(c, "ionChannel") ||
            dtb__mc_is(c, "ionChannelPassive")) {
            if (grow((void **)&r->channel_nodes, r->n_channel_nodes, sizeof *r->channel_nodes) ||
                grow((void **)&r->channel_files, r->n_channel_nodes, sizeof *r->channel_files))
                return DTB_ENOMEM;
            r->channel_nodes[r->n_channel_nodes] = c;
            r->channel_files[r->n_channel_nodes++] = file;
        } else if (dtb__mc_is(c, "ComponentType") && dtb__mc_rate_type_role(c)) {
            int oom = 0;
            char *name = dtb__mc_attr(c, "name", &oom);
            if (oom)
                return DTB_ENOMEM;
            if (!name)
                return dtb__mc_error_at(DTB_EPARSE, file, c, "needs a name");
            if (grow((void **)&r->types, r->n_types, sizeof *r->types)) {
                free(name);
                return DTB_ENOMEM;
            }
            r->types[r->n_types++] = (dtb__mc_rate_type){name, file, c};
        } else if (dtb__mc_is(c, "include")) {
            int oom = 0;
            char *href = dtb__mc_attr(c, "href", &oom);
            if (oom)
                return DTB_ENOMEM;
            if (!href)
                return dtb__mc_error_at(DTB_EPARSE, file, c, "needs the attribute 'href'");
            char *dir_copy = dtb__strdup(file);
            char *full = dir_copy ? (href[0] == '/' ? dtb__strdup(href)
                                                    : dtb__asprintf("%s/%s", dirname(dir_copy), href))
                                  : NULL;
            r->depth++;
            st = full ? gather(r, full) : DTB_ENOMEM;
            r->depth--;
            if (st && st != DTB_ENOMEM)
                st = dtb__error_context(st, "%s:%ld: <include href='%s'>", file, xmlGetLineNo(c),
                                        href);
            free(full);
            free(dir_copy);
            free(href);
        }
    }
    return st;
}

static dtb_status read_channels(reader *r, const char *path)
{
    dtb_status st = gather(r, path);
    for (size_t k = 0; !st && k < r->n_channel_nodes; k++)
        st = read_channel(r, r->channel_files[k], r->channel_nodes[k]);
    return st;
}

/* A top-level element of the main file by name and id (a cell's
 * morphology="id" or biophysicalProperties="id"). */
static xmlNodePtr find_top(xmlDocPtr doc, const char *element, const char *id)
{
    for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next) {
        if (!dtb__mc_is(c, element))
            continue;
        xmlChar *cid = xmlGetProp(c, (const xmlChar *)"id");
        int match = cid && strcmp((const char *)cid, id) == 0;
        xmlFree(cid);
        if (match)
            return c;
    }
    return NULL;
}

/* The cell's child `element`, or the top-level one its attribute names. */
static dtb_status part_of(xmlDocPtr doc, const char *file, xmlNodePtr cell, const char *element,
                          xmlNodePtr *out)
{
    for (xmlNodePtr c = cell->children; c; c = c->next)
        if (dtb__mc_is(c, element)) {
            *out = c;
            return DTB_OK;
        }
    int oom = 0;
    char *ref = dtb__mc_attr(cell, element, &oom);
    if (oom)
        return DTB_ENOMEM;
    *out = ref ? find_top(doc, element, ref) : NULL;
    dtb_status st = DTB_OK;
    if (!*out)
        st = ref ? dtb__mc_error_at(DTB_ENOTFOUND, file, cell, "%s '%s' is not in the file",
                                    element, ref)
                 : dtb__mc_error_at(DTB_EPARSE, file, cell, "needs a <%s>", element);
    free(ref);
    return st;
}

static dtb_status find_cell(xmlDocPtr doc, const char *file, const char *cell_id, xmlNodePtr *out)
{
    *out = NULL;
    size_t n_cells = 0;
    for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next) {
        if (!dtb__mc_is(c, "cell"))
            continue;
        n_cells++;
        xmlChar *id = xmlGetProp(c, (const xmlChar *)"id");
        if (!cell_id || (id && strcmp((const char *)id, cell_id) == 0))
            *out = c;
        xmlFree(id);
    }
    if (cell_id && !*out)
        return dtb__error(DTB_ENOTFOUND, "%s: no <cell id='%s'>", file, cell_id);
    if (!cell_id && n_cells != 1)
        return dtb__error(n_cells ? DTB_EINVAL : DTB_ENOTFOUND, "%s: %zu <cell> elements; name "
                          "one (FILE#CELLID)", file, n_cells);
    return DTB_OK;
}

/* "all" is every segment unless the file defines it (NeuroML's convention). */
static dtb_status add_all_group(dtb__mc_desc *d)
{
    if (dtb__mc_group_find(d, "all") >= 0)
        return DTB_OK;
    if (grow((void **)&d->groups, d->n_groups, sizeof *d->groups))
        return DTB_ENOMEM;
    dtb__mc_group *g = &d->groups[d->n_groups++];
    g->id = dtb__strdup("all");
    if (!g->id)
        return DTB_ENOMEM;
    for (size_t i = 0; i < d->n_segments; i++) {
        if (grow((void **)&g->member_ids, g->n_member_ids, sizeof *g->member_ids))
            return DTB_ENOMEM;
        g->member_ids[g->n_member_ids++] = d->segments[i].id;
    }
    return DTB_OK;
}

/* The temperature of the file's first <network temperature=...>, the one
 * NeuroML simulations take (NaN without one). */
static dtb_status read_temperature(xmlDocPtr doc, const char *file, double *celsius)
{
    *celsius = NAN;
    for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
        if (dtb__mc_is(c, "network") && xmlHasProp(c, (const xmlChar *)"temperature"))
            return dtb__mc_quantity(file, c, "temperature", DTB__MC_TEMPERATURE, 1, celsius);
    return DTB_OK;
}

static dtb_status read_cell(reader *r, const char *path, const char *cell_id)
{
    dtb__mc_desc *d = r->d;
    dtb_status st = read_channels(r, path);
    if (st)
        return st;
    xmlDocPtr doc = r->docs[0];
    const char *file = r->names[0];
    xmlNodePtr cell = NULL, morph = NULL, bio = NULL;
    st = find_cell(doc, file, cell_id, &cell);
    if (!st) {
        int oom = 0;
        d->cell_id = dtb__mc_attr(cell, "id", &oom);
        if (oom)
            return DTB_ENOMEM;
        if (!d->cell_id)
            return dtb__mc_error_at(DTB_EPARSE, file, cell, "needs the attribute 'id'");
    }
    for (xmlNodePtr c = cell ? cell->children : NULL; !st && c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !is_annotation(c) && !dtb__mc_is(c, "morphology") &&
            !dtb__mc_is(c, "biophysicalProperties"))
            st = refuse(file, c, "cell");
    /* The morphology whole first: the biophysics names its groups. */
    if (!st)
        st = part_of(doc, file, cell, "morphology", &morph);
    if (!st)
        st = read_morphology(d, file, morph);
    if (!st)
        st = dtb__mc_morph_check(d);
    if (!st)
        st = add_all_group(d);
    if (!st)
        st = dtb__mc_groups_resolve(d);
    if (!st)
        st = part_of(doc, file, cell, "biophysicalProperties", &bio);
    if (!st)
        st = read_biophysics(d, file, bio);
    if (!st)
        st = read_temperature(doc, file, &d->temperature);
    return st;
}

dtb_status dtb__mc_read(const char *path, const char *cell_id, dtb__mc_desc *out)
{
    memset(out, 0, sizeof *out);
    if (!path)
        return dtb__error(DTB_EINVAL, "no NeuroML file named");
    out->v_init = -65;
    out->file = dtb__strdup(path);
    if (!out->file)
        return DTB_ENOMEM;
    reader r = {.d = out};
    dtb_status st = read_cell(&r, path, cell_id);
    for (size_t i = 0; i < r.n_docs; i++) {
        xmlFreeDoc(r.docs[i]);
        free(r.names[i]);
    }
    for (size_t i = 0; i < r.n_types; i++)
        free(r.types[i].name);
    free(r.types);
    free(r.channel_nodes);
    free(r.channel_files);
    if (st)
        dtb__mc_desc_free(out);
    return st;
}

void dtb__mc_desc_free(dtb__mc_desc *d)
{
    free(d->file);
    free(d->cell_id);
    for (size_t i = 0; i < d->n_segments; i++)
        free(d->segments[i].name);
    free(d->segments);
    for (size_t i = 0; i < d->n_groups; i++) {
        dtb__mc_group *g = &d->groups[i];
        free(g->id);
        free(g->member_ids);
        for (size_t k = 0; k < g->n_includes; k++)
            free(g->includes[k]);
        free(g->includes);
        free(g->include_lines);
        free(g->paths);
        free(g->path_kinds);
        free(g->path_lines);
        free(g->has);
    }
    free(d->groups);
    for (size_t i = 0; i < d->n_channels; i++) {
        for (size_t k = 0; k < d->channels[i].n_gates; k++) {
            free(d->channels[i].gates[k].id);
            free(d->channels[i].gates[k].q10);
            dtb__mc_lems_rate_free(d->channels[i].gates[k].forward.lems);
            dtb__mc_lems_rate_free(d->channels[i].gates[k].reverse.lems);
            dtb__mc_lems_rate_free(d->channels[i].gates[k].steady.lems);
            dtb__mc_lems_rate_free(d->channels[i].gates[k].time_course.lems);
        }
        free(d->channels[i].gates);
        free(d->channels[i].id);
    }
    free(d->channels);
    for (size_t i = 0; i < d->n_densities; i++)
        free(d->densities[i].id);
    free(d->densities);
    free(d->cm);
    free(d->ra);
    free(d->order);
    memset(d, 0, sizeof *d);
}
