/* libdtb — the MPI entry points of a build without MPI: they say so.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/base.h"
#include "explore.h"
#include "runner.h"

int dtb__mpi_built(void) { return 0; }

static dtb_status unsupported(void)
{
    return dtb__error(DTB_EUNSUPPORTED, "this libdtb was built without MPI (meson setup "
                                        "-Dmpi=enabled with Open MPI installed: libopenmpi-dev)");
}

dtb_status dtb__mpi_session(int64_t comm, dtb__mpi_state **out)
{
    (void)comm;
    *out = NULL;
    return unsupported();
}

void dtb__mpi_session_free(dtb__mpi_state *s) { (void)s; }
int dtb__mpi_session_rank(const dtb__mpi_state *s) { (void)s; return 0; }
int dtb__mpi_session_size(const dtb__mpi_state *s) { (void)s; return 1; }

dtb_status dtb__mpi_serve(const dtb__executor *x, const dtb__runner *r)
{
    (void)x;
    (void)r;
    return unsupported();
}

void dtb__mpi_release(const dtb__runner *r) { (void)r; }

dtb_status dtb__mpi_dispatch(dtb__queue *q)
{
    (void)q;
    return unsupported();
}
