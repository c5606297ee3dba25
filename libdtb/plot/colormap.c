/* libdtb — colour maps: linear interpolation between published anchor
 * colours (ColorBrewer RdBu, 11 classes; viridis at 9 even stops).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "colormap.h"

#include <math.h>
#include <stdio.h>

static const unsigned char rdbu[11][3] = {
    {5, 48, 97},     {33, 102, 172},  {67, 147, 195},  {146, 197, 222}, {209, 229, 240},
    {247, 247, 247}, {253, 219, 199}, {244, 165, 130}, {214, 96, 77},   {178, 24, 43},
    {103, 0, 31}};

static const unsigned char viridis[9][3] = {
    {68, 1, 84},    {71, 45, 123},  {59, 82, 139},   {44, 114, 142}, {33, 145, 140},
    {40, 174, 128}, {94, 201, 98},  {173, 220, 48},  {253, 231, 37}};

void dtb__colormap(double u, int diverging, char out[8])
{
    if (isnan(u)) {
        snprintf(out, 8, "#bdbdbd");
        return;
    }
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    const unsigned char (*stops)[3] = diverging ? rdbu : viridis;
    const int n = diverging ? 11 : 9;
    double x = u * (n - 1);
    int i = (int)floor(x);
    if (i >= n - 1)
        i = n - 2;
    double w = x - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround((1 - w) * stops[i][k] + w * stops[i + 1][k]);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}
